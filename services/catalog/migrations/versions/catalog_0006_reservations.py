"""reservations: the stock side of the order saga, one per order

Revision ID: catalog_0006
Revises: catalog_0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "catalog_0006"
down_revision: str | None = "catalog_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATES = ("held", "confirmed", "released", "rejected")


def upgrade() -> None:
    op.create_table(
        "reservations",
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(*STATES, name="reservationstate", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expired", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("order_id"),
    )
    op.create_index("ix_reservations_expiry", "reservations", ["state", "expires_at"])
    op.create_table(
        "reservation_lines",
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("sku_id", sa.Uuid(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["reservations.order_id"]),
        sa.PrimaryKeyConstraint("order_id", "sku_id"),
    )


def downgrade() -> None:
    op.drop_table("reservation_lines")
    op.drop_index("ix_reservations_expiry", table_name="reservations")
    op.drop_table("reservations")
