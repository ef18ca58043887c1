"""user ids are UUIDs

Revision ID: engagement_0003
Revises: engagement_0002
"""

from collections.abc import Sequence

from chassis.migrations import user_ids_to_uuid

revision: str = "engagement_0003"
down_revision: str | None = "engagement_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    user_ids_to_uuid("inbox_messages", "user_id")
    user_ids_to_uuid("email_deliveries", "user_id")


def downgrade() -> None:
    raise NotImplementedError("user ids stay UUIDs")
