"""points for content calls won

Revision ID: users_0017
Revises: users_0016
Create Date: 2026-12-02 03:35:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "users_0017"
down_revision: str | None = "users_0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "points_call_rewards",
        sa.Column("call_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("post_id", sa.Uuid(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("rewarded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("call_id", "user_id"),
    )
    # points_entries.kind is a VARCHAR(32) enum without a CHECK: content_call needs no change


def downgrade() -> None:
    op.drop_table("points_call_rewards")
