"""pricing: list and sale price per SKU with a version, scheduled price changes, price history

Revision ID: catalog_0008
Revises: catalog_0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "catalog_0008"
down_revision: str | None = "catalog_0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEDULE_STATES = ("pending", "active", "ended", "cancelled", "refused")
SOURCES = (
    "created",
    "manual",
    "override",
    "schedule_started",
    "schedule_ended",
    "schedule_cancelled",
)


def upgrade() -> None:
    with op.batch_alter_table("skus") as skus:
        skus.add_column(sa.Column("list_amount", sa.BigInteger(), nullable=True))
        skus.add_column(sa.Column("sale_amount", sa.BigInteger(), nullable=True))
        skus.add_column(
            sa.Column("price_version", sa.Integer(), nullable=False, server_default="0")
        )
    # Until now a SKU had one price: it is its list price.
    op.execute("UPDATE skus SET list_amount = price_amount")
    with op.batch_alter_table("skus") as skus:
        skus.alter_column("list_amount", existing_type=sa.BigInteger(), nullable=False)
        skus.alter_column("price_version", existing_type=sa.Integer(), server_default=None)
    op.create_table(
        "price_schedules",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("sku_id", sa.Uuid(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "state",
            sa.Enum(*SCHEDULE_STATES, name="schedulestate", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("override_by", sa.Uuid(), nullable=True),
        sa.Column("override_reason", sa.String(length=500), nullable=True),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["sku_id"], ["skus.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_price_schedules_start", "price_schedules", ["state", "starts_at"])
    op.create_index("ix_price_schedules_end", "price_schedules", ["state", "ends_at"])
    op.create_index("ix_price_schedules_sku", "price_schedules", ["sku_id", "starts_at", "id"])
    op.create_table(
        "price_history",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("sku_id", sa.Uuid(), nullable=False),
        sa.Column(
            "source",
            sa.Enum(*SOURCES, name="pricesource", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("old_amount", sa.BigInteger(), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("list_amount", sa.BigInteger(), nullable=False),
        sa.Column("sale_amount", sa.BigInteger(), nullable=True),
        sa.Column("cost_amount", sa.BigInteger(), nullable=True),
        sa.Column("schedule_id", sa.Uuid(), nullable=True),
        sa.Column("by", sa.Uuid(), nullable=True),
        sa.Column("override_by", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("effective_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["sku_id"], ["skus.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_price_history_sku", "price_history", ["sku_id", "recorded_at", "id"])
    op.create_index(
        "ix_price_history_overrides", "price_history", ["override_by", "recorded_at", "id"]
    )


def downgrade() -> None:
    op.drop_table("price_history")
    op.drop_table("price_schedules")
    with op.batch_alter_table("skus") as skus:
        skus.drop_column("price_version")
        skus.drop_column("sale_amount")
        skus.drop_column("list_amount")
