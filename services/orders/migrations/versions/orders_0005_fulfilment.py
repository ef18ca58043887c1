"""Fulfilment: shipments, and when each order was shipped and delivered (for the scheduler's
automatic receipt and the return window).

Revision ID: orders_0005
Revises: orders_0004
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "orders_0005"
down_revision: str | None = "orders_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "shipments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("carrier", sa.String(length=100), nullable=False),
        sa.Column("tracking_number", sa.String(length=100), nullable=False),
        sa.Column("shipped_by", sa.Uuid(), nullable=False),
        sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_shipments_order_id", "shipments", ["order_id"])
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_orders_status_shipped", ["status", "shipped_at"])
        batch.create_index("ix_orders_status_delivered", ["status", "delivered_at"])


def downgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.drop_index("ix_orders_status_delivered")
        batch.drop_index("ix_orders_status_shipped")
        batch.drop_column("delivered_at")
        batch.drop_column("shipped_at")
    op.drop_index("ix_shipments_order_id", table_name="shipments")
    op.drop_table("shipments")
