"""sku returns: a refund's units per SKU, pending until the order's sale is in, then counted

Revision ID: catalog_0016
Revises: catalog_0015
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "catalog_0016"
down_revision: str | None = "catalog_0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sku_returns",
        sa.Column("refund_id", sa.Uuid(), nullable=False),
        sa.Column("sku_id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("resaleable", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("counted", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("quantity > 0", name="ck_sku_returns_quantity"),
        sa.CheckConstraint("counted >= 0 AND counted <= quantity", name="ck_sku_returns_counted"),
        sa.ForeignKeyConstraint(["sku_id"], ["skus.id"]),
        sa.PrimaryKeyConstraint("refund_id", "sku_id"),
    )
    op.create_index("ix_sku_returns_order", "sku_returns", ["order_id", "state"])
    op.create_index("ix_sku_returns_settled", "sku_returns", ["sku_id", "state", "settled_at"])
    # Returns restocked before this table existed are in the ledger: settled, as counted.
    op.execute(
        "INSERT INTO sku_returns (refund_id, sku_id, order_id, quantity, resaleable, state,"
        " counted, received_at, settled_at)"
        " SELECT refund_id, sku_id, order_id, delta, true, 'settled', delta, created_at,"
        " created_at FROM stock_ledger WHERE refund_id IS NOT NULL AND order_id IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_table("sku_returns")
