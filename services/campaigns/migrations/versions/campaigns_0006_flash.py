"""flash sales: sessions, items, holdings, reservations

Revision ID: campaigns_0006
Revises: campaigns_0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "campaigns_0006"
down_revision: str | None = "campaigns_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUS = sa.Enum(
    "reserved",
    "ordered",
    "purchased",
    "expired",
    "released",
    name="reservationstatus",
    native_enum=False,
    length=32,
)


def upgrade() -> None:
    op.create_table(
        "flash_sessions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("campaign_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reservation_minutes", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_flash_sessions_campaign_id", "flash_sessions", ["campaign_id"])
    op.create_table(
        "flash_items",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("sku_id", sa.Uuid(), nullable=False),
        sa.Column("flash_price_amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=False),
        sa.Column("stock_left", sa.Integer(), nullable=False),
        sa.Column("per_user_limit", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "stock_left >= 0 AND stock_left <= stock", name="stock_left_within_stock"
        ),
        sa.ForeignKeyConstraint(["session_id"], ["flash_sessions.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_id", "sku_id"),
    )
    op.create_table(
        "flash_holdings",
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.CheckConstraint("reserved >= 0", name="reserved_not_negative"),
        sa.ForeignKeyConstraint(["item_id"], ["flash_items.id"]),
        sa.PrimaryKeyConstraint("item_id", "customer_id"),
    )
    op.create_table(
        "flash_reservations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("sku_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("flash_price_amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("status", STATUS, nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=True),
        sa.Column("reserved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("restored_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["item_id"], ["flash_items.id"]),
        sa.ForeignKeyConstraint(["session_id"], ["flash_sessions.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_flash_reservations_status_expires_at", "flash_reservations", ["status", "expires_at"]
    )
    op.create_index(
        "ix_flash_reservations_customer_id_id", "flash_reservations", ["customer_id", "id"]
    )
    op.create_index("ix_flash_reservations_order_id", "flash_reservations", ["order_id"])


def downgrade() -> None:
    op.drop_table("flash_reservations")
    op.drop_table("flash_holdings")
    op.drop_table("flash_items")
    op.drop_table("flash_sessions")
