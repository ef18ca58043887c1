"""Freight templates (运费模板) operators manage, and each order's shipping fee with the rule
that set it. Existing orders were charged no shipping: NULL.

Revision ID: orders_0011
Revises: orders_0010
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "orders_0011"
down_revision: str | None = "orders_0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "freight_templates",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_freight_templates_activated_at", "freight_templates", ["activated_at"])
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("shipping_fee_amount", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("shipping_rule", sa.String(500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("shipping_rule")
        batch.drop_column("shipping_fee_amount")
    op.drop_index("ix_freight_templates_activated_at", "freight_templates")
    op.drop_table("freight_templates")
