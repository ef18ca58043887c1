"""browse by sales: listed products walked in order of units sold

Revision ID: catalog_0019
Revises: catalog_0018
"""

from collections.abc import Sequence

from alembic import op

revision: str = "catalog_0019"
down_revision: str | None = "catalog_0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_products_browse_sales", "products", ["state", "units_sold", "id"])


def downgrade() -> None:
    op.drop_index("ix_products_browse_sales", table_name="products")
