"""flash holds: stock set aside for campaigns' flash sessions, drawn by their orders

Revision ID: catalog_0022
Revises: catalog_0021
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "catalog_0022"
down_revision: str | None = "catalog_0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HOLD_STATES = ("held", "refused", "ended")


def upgrade() -> None:
    with op.batch_alter_table("stock_levels") as batch:
        batch.add_column(sa.Column("held", sa.Integer(), nullable=False, server_default="0"))
        batch.create_check_constraint(
            "ck_stock_levels_held", "held >= 0 AND reserved + held <= on_hand"
        )
    with op.batch_alter_table("stock_ledger") as batch:
        batch.add_column(sa.Column("flash_session_id", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("held", sa.Integer(), nullable=False, server_default="0"))
    op.create_index(
        "uq_stock_ledger_flash",
        "stock_ledger",
        ["flash_session_id", "sku_id", "reason"],
        unique=True,
    )
    with op.batch_alter_table("reservation_lines") as batch:
        batch.add_column(sa.Column("flash_session_id", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("from_hold", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "flash_holds",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("sku_id", sa.Uuid(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("drawn", sa.Integer(), nullable=False),
        sa.Column("returned", sa.Integer(), nullable=True),
        sa.Column("available", sa.Integer(), nullable=True),
        sa.Column(
            "state",
            sa.Enum(*HOLD_STATES, name="holdstate", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("quantity > 0", name="ck_flash_holds_quantity"),
        sa.CheckConstraint("drawn >= 0 AND drawn <= quantity", name="ck_flash_holds_drawn"),
        sa.PrimaryKeyConstraint("session_id", "sku_id"),
    )
    op.create_table(
        "flash_reservations",
        sa.Column("reservation_id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("sku_id", sa.Uuid(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("reservation_id"),
    )


def downgrade() -> None:
    op.drop_table("flash_reservations")
    op.drop_table("flash_holds")
    with op.batch_alter_table("reservation_lines") as batch:
        batch.drop_column("from_hold")
        batch.drop_column("flash_session_id")
    op.drop_index("uq_stock_ledger_flash", table_name="stock_ledger")
    with op.batch_alter_table("stock_ledger") as batch:
        batch.drop_column("held")
        batch.drop_column("flash_session_id")
    with op.batch_alter_table("stock_levels") as batch:
        batch.drop_constraint("ck_stock_levels_held", type_="check")
        batch.drop_column("held")
