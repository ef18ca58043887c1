"""user ids are UUIDs

Revision ID: users_0002
Revises: users_0001
"""

from collections.abc import Sequence

from chassis.migrations import user_ids_to_uuid

revision: str = "users_0002"
down_revision: str | None = "users_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    user_ids_to_uuid("order_stats", "user_id")


def downgrade() -> None:
    raise NotImplementedError("user ids stay UUIDs")
