"""user ids are UUIDs

Revision ID: content_0002
Revises: content_0001
"""

from collections.abc import Sequence

from chassis.migrations import user_ids_to_uuid

revision: str = "content_0002"
down_revision: str | None = "content_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    user_ids_to_uuid("articles", "author")


def downgrade() -> None:
    raise NotImplementedError("user ids stay UUIDs")
