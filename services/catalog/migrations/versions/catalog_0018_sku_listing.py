"""sku listing: a SKU delisted by itself while its product stays listed

Revision ID: catalog_0018
Revises: catalog_0017
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "catalog_0018"
down_revision: str | None = "catalog_0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("skus") as table:
        table.add_column(
            sa.Column("listed", sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade() -> None:
    with op.batch_alter_table("skus") as table:
        table.drop_column("listed")
