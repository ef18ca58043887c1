"""refunds of orders, taken off the GMV of the campaigns behind them

Revision ID: campaigns_0017
Revises: campaigns_0016
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "campaigns_0017"
down_revision: str | None = "campaigns_0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "order_refunds",
        sa.Column("refund_id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("refunded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("refund_id"),
    )
    op.create_index("ix_order_refunds_order_id", "order_refunds", ["order_id"])


def downgrade() -> None:
    op.drop_index("ix_order_refunds_order_id", "order_refunds")
    op.drop_table("order_refunds")
