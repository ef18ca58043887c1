"""the product -> SKU map flash keeps from catalog's product events, and products delisted

Revision ID: campaigns_0025
Revises: campaigns_0024
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "campaigns_0025"
down_revision: str | None = "campaigns_0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "flash_product_skus",
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("sku_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("product_id", "sku_id"),
    )
    op.create_table(
        "flash_delisted_products",
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("delisted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("product_id"),
    )


def downgrade() -> None:
    op.drop_table("flash_delisted_products")
    op.drop_table("flash_product_skus")
