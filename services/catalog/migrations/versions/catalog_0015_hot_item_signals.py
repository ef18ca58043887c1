"""hot-item signals: product views a day and SKU ratings, rolled up from other services' events

Revision ID: catalog_0015
Revises: catalog_0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "catalog_0015"
down_revision: str | None = "catalog_0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "product_views_daily",
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"]),
        sa.PrimaryKeyConstraint("product_id", "day"),
    )
    op.create_table(
        "sku_ratings",
        sa.Column("sku_id", sa.Uuid(), nullable=False),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.Column("stars", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["sku_id"], ["skus.id"]),
        sa.PrimaryKeyConstraint("sku_id"),
    )


def downgrade() -> None:
    op.drop_table("sku_ratings")
    op.drop_table("product_views_daily")
