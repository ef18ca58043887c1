"""segment membership, a read model of users' segment events

Revision ID: content_0007
Revises: content_0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "content_0007"
down_revision: str | None = "content_0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "segment_members",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("segment_id", sa.Uuid(), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "segment_id"),
    )
    op.create_index("ix_segment_members_segment", "segment_members", ["segment_id"])


def downgrade() -> None:
    op.drop_index("ix_segment_members_segment", table_name="segment_members")
    op.drop_table("segment_members")
