"""After-sales and refunds: requests with their lines and history; refunds of paid orders
with their lines (the refunds table rebuilt: a payment may now be refunded many times, but
automatically only once); what each order line has had claimed for refunds.

Existing refunds (payments that arrived for cancelled orders) become automatic refunds,
still pending; existing order lines have claimed nothing.

Revision ID: orders_0008
Revises: orders_0007
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "orders_0008"
down_revision: str | None = "orders_0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUS = sa.Enum("pending", "succeeded", name="refundstatus", native_enum=False, length=32)
AFTERSALE_STATUS = sa.Enum(
    "requested",
    "approved",
    "received",
    "refunded",
    "rejected",
    "withdrawn",
    name="aftersalestatus",
    native_enum=False,
    length=32,
)
KIND = sa.Enum(
    "refund_only", "return_and_refund", name="aftersalekind", native_enum=False, length=32
)


def upgrade() -> None:
    with op.batch_alter_table("order_lines") as batch:
        batch.add_column(
            sa.Column("claimed_refund", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch.add_column(
            sa.Column("claimed_units", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("order_lines") as batch:
        batch.alter_column("claimed_refund", server_default=None)
        batch.alter_column("claimed_units", server_default=None)

    op.create_table(
        "refunds_next",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column("aftersale_id", sa.Uuid(), nullable=True),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("status", STATUS, nullable=False),
        sa.Column("restock", sa.Boolean(), nullable=False),
        sa.Column("provider_reference", sa.String(length=200), nullable=True),
        sa.Column("requested_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"]),
        sa.ForeignKeyConstraint(["payment_id"], ["payments.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("aftersale_id"),
    )
    op.execute(
        "INSERT INTO refunds_next (id, order_id, payment_id, aftersale_id, automatic, "
        "amount_minor, currency, reason, status, restock, created_at) "
        "SELECT id, order_id, payment_id, NULL, true, amount_minor, currency, reason, status, "
        "false, created_at FROM refunds"
    )
    op.drop_index("ix_refunds_order_id", table_name="refunds")
    op.drop_table("refunds")
    op.rename_table("refunds_next", "refunds")
    op.create_index("ix_refunds_order_id", "refunds", ["order_id"])
    op.create_index(
        "uq_refunds_automatic_payment",
        "refunds",
        ["payment_id"],
        unique=True,
        sqlite_where=sa.text("automatic"),
        postgresql_where=sa.text("automatic"),
    )
    op.create_table(
        "refund_lines",
        sa.Column("refund_id", sa.Uuid(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("sku_id", sa.Uuid(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.ForeignKeyConstraint(["refund_id"], ["refunds.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("refund_id", "line_no"),
    )

    op.create_table(
        "aftersales",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("kind", KIND, nullable=False),
        sa.Column("status", AFTERSALE_STATUS, nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("photo_urls", sa.JSON(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column("decision_note", sa.String(length=500), nullable=True),
        sa.Column("resaleable", sa.Boolean(), nullable=True),
        sa.Column("refund_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_aftersales_order_id", "aftersales", ["order_id"])
    op.create_index(
        "ix_aftersales_customer_newest", "aftersales", ["customer_id", "requested_at", "id"]
    )
    op.create_index("ix_aftersales_status_newest", "aftersales", ["status", "requested_at", "id"])
    op.create_table(
        "aftersale_lines",
        sa.Column("aftersale_id", sa.Uuid(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("sku_id", sa.Uuid(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.ForeignKeyConstraint(["aftersale_id"], ["aftersales.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("aftersale_id", "line_no"),
    )
    op.create_table(
        "aftersale_steps",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("aftersale_id", sa.Uuid(), nullable=False),
        sa.Column("status", AFTERSALE_STATUS, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cause", sa.String(length=600), nullable=False),
        sa.ForeignKeyConstraint(["aftersale_id"], ["aftersales.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_aftersale_steps_aftersale_id", "aftersale_steps", ["aftersale_id"])


def downgrade() -> None:
    op.drop_index("ix_aftersale_steps_aftersale_id", table_name="aftersale_steps")
    op.drop_table("aftersale_steps")
    op.drop_table("aftersale_lines")
    op.drop_index("ix_aftersales_status_newest", table_name="aftersales")
    op.drop_index("ix_aftersales_customer_newest", table_name="aftersales")
    op.drop_index("ix_aftersales_order_id", table_name="aftersales")
    op.drop_table("aftersales")
    op.drop_table("refund_lines")
    op.create_table(
        "refunds_previous",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("status", STATUS, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"]),
        sa.ForeignKeyConstraint(["payment_id"], ["payments.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("payment_id"),
    )
    op.execute(
        "INSERT INTO refunds_previous (id, order_id, payment_id, amount_minor, currency, "
        "reason, status, created_at) SELECT id, order_id, payment_id, amount_minor, currency, "
        "reason, 'pending', created_at FROM refunds WHERE automatic"
    )
    op.drop_index("uq_refunds_automatic_payment", table_name="refunds")
    op.drop_index("ix_refunds_order_id", table_name="refunds")
    op.drop_table("refunds")
    op.rename_table("refunds_previous", "refunds")
    op.create_index("ix_refunds_order_id", "refunds", ["order_id"])
    with op.batch_alter_table("order_lines") as batch:
        batch.drop_column("claimed_units")
        batch.drop_column("claimed_refund")
