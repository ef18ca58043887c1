"""user ids are UUIDs

Revision ID: orders_0002
Revises: orders_0001
"""

from collections.abc import Sequence

from chassis.migrations import user_ids_to_uuid

revision: str = "orders_0002"
down_revision: str | None = "orders_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    user_ids_to_uuid("orders", "customer_id")


def downgrade() -> None:
    raise NotImplementedError("user ids stay UUIDs")
