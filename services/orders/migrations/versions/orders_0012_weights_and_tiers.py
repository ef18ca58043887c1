"""Freight by weight and member tiers: each SKU's shipping weight as the catalog publishes
it (unknown, NULL, for the SKUs known so far), and each customer's membership tier as users
publishes it (none kept: regular).

Revision ID: orders_0012
Revises: orders_0011
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "orders_0012"
down_revision: str | None = "orders_0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("catalog_skus") as batch:
        batch.add_column(sa.Column("weight_grams", sa.Integer(), nullable=True))
    op.create_table(
        "member_tiers",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("tier", sa.String(20), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )


def downgrade() -> None:
    op.drop_table("member_tiers")
    with op.batch_alter_table("catalog_skus") as batch:
        batch.drop_column("weight_grams")
