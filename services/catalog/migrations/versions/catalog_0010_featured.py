"""featured: the SKUs operators feature, one row each

Revision ID: catalog_0010
Revises: catalog_0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "catalog_0010"
down_revision: str | None = "catalog_0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "featured_skus",
        sa.Column("sku_id", sa.Uuid(), nullable=False),
        sa.Column("featured_by", sa.Uuid(), nullable=False),
        sa.Column("featured_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(["sku_id"], ["skus.id"]),
        sa.PrimaryKeyConstraint("sku_id"),
    )


def downgrade() -> None:
    op.drop_table("featured_skus")
