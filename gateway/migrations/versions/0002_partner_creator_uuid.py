"""the admin who created a partner is a user id, a UUID

Revision ID: 0002
Revises: 0001
"""

from chassis.migrations import user_ids_to_uuid

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    user_ids_to_uuid("gateway_partners", "created_by")


def downgrade() -> None:
    raise NotImplementedError("user ids stay UUIDs")
