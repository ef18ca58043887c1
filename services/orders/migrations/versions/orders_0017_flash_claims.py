"""Flash claims: at most one live order per flash reservation (the claim's primary key), so
checkout refuses the second of two orders naming one reservation at once.

Orders still `placed` that name a reservation get their claim, the earliest placed first
(one whose reservation another such order claimed stays without: campaigns cancels it on
`order.placed`). An order past `placed` has had campaigns' answer on its reservation (the
saga's coupons step): campaigns took it, so its fresh read refuses every later order.

Revision ID: orders_0017
Revises: orders_0016
Create Date: 2026-12-02
"""

from collections.abc import Sequence
from uuid import UUID

import sqlalchemy as sa
from alembic import op

revision: str = "orders_0017"
down_revision: str | None = "orders_0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

orders = sa.table(
    "orders",
    sa.column("id", sa.Uuid()),
    sa.column("status", sa.String()),
    sa.column("attribution", sa.JSON()),
    sa.column("placed_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    claims = op.create_table(
        "flash_claims",
        sa.Column("flash_reservation_id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("flash_reservation_id"),
        sa.UniqueConstraint("order_id"),
    )
    placed = op.get_bind().execute(
        sa.select(orders.c.id, orders.c.attribution, orders.c.placed_at)
        .where(orders.c.status == "placed")
        .order_by(orders.c.placed_at, orders.c.id)
    )
    claimed: dict[UUID, dict] = {}
    for order_id, attribution, placed_at in placed:
        reservation = (attribution or {}).get("flash_reservation_id")
        if reservation is not None and UUID(reservation) not in claimed:
            claimed[UUID(reservation)] = {
                "flash_reservation_id": UUID(reservation),
                "order_id": order_id,
                "claimed_at": placed_at,
            }
    if claimed:
        op.bulk_insert(claims, list(claimed.values()))


def downgrade() -> None:
    op.drop_table("flash_claims")
