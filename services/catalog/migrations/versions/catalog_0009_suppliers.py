"""suppliers: suppliers, the SKUs they restock, purchase orders, receipts; ledger entries name
the purchase order a receipt came on

Revision ID: catalog_0009
Revises: catalog_0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "catalog_0009"
down_revision: str | None = "catalog_0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ORDER_STATES = ("draft", "sent", "partially_received", "received", "cancelled")


def upgrade() -> None:
    with op.batch_alter_table("stock_ledger") as ledger:
        ledger.add_column(sa.Column("purchase_order_id", sa.Uuid(), nullable=True))
    op.create_table(
        "suppliers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("contact", sa.String(length=500), nullable=True),
        sa.Column("lead_time_days", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "supplied_skus",
        sa.Column("supplier_id", sa.Uuid(), nullable=False),
        sa.Column("sku_id", sa.Uuid(), nullable=False),
        sa.Column("safety_stock", sa.Integer(), nullable=False),
        sa.CheckConstraint("safety_stock >= 0", name="ck_supplied_skus_safety"),
        sa.ForeignKeyConstraint(["sku_id"], ["skus.id"]),
        sa.ForeignKeyConstraint(["supplier_id"], ["suppliers.id"]),
        sa.PrimaryKeyConstraint("supplier_id", "sku_id"),
    )
    op.create_table(
        "purchase_orders",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("supplier_id", sa.Uuid(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(*ORDER_STATES, name="orderstate", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("suggested", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["supplier_id"], ["suppliers.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_purchase_orders_supplier", "purchase_orders", ["supplier_id", "created_at", "id"]
    )
    op.create_table(
        "purchase_order_lines",
        sa.Column("purchase_order_id", sa.Uuid(), nullable=False),
        sa.Column("sku_id", sa.Uuid(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("defective", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity > 0", name="ck_po_lines_quantity"),
        sa.CheckConstraint(
            "received >= 0 AND defective >= 0 AND received + defective <= quantity",
            name="ck_po_lines_received",
        ),
        sa.ForeignKeyConstraint(["purchase_order_id"], ["purchase_orders.id"]),
        sa.ForeignKeyConstraint(["sku_id"], ["skus.id"]),
        sa.PrimaryKeyConstraint("purchase_order_id", "sku_id"),
    )
    op.create_table(
        "receipts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("purchase_order_id", sa.Uuid(), nullable=False),
        sa.Column("supplier_id", sa.Uuid(), nullable=False),
        sa.Column("on_time", sa.Boolean(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("defective", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("received_by", sa.Uuid(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["purchase_order_id"], ["purchase_orders.id"]),
        sa.ForeignKeyConstraint(["supplier_id"], ["suppliers.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_receipts_purchase_order_id", "receipts", ["purchase_order_id"])
    op.create_index("ix_receipts_supplier", "receipts", ["supplier_id", "received_at"])


def downgrade() -> None:
    op.drop_table("receipts")
    op.drop_table("purchase_order_lines")
    op.drop_table("purchase_orders")
    op.drop_table("supplied_skus")
    op.drop_table("suppliers")
    with op.batch_alter_table("stock_ledger") as ledger:
        ledger.drop_column("purchase_order_id")
