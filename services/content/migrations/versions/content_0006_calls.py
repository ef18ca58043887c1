"""content calls and their entries

Revision ID: content_0006
Revises: content_0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "content_0006"
down_revision: str | None = "content_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calls",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("topic", sa.String(length=32), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "judging",
            sa.Enum("operators", "engagement", name="judging", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("winners", sa.Integer(), nullable=False),
        sa.Column("reward", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("judged_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "call_entries",
        sa.Column(
            "call_id", sa.Uuid(), sa.ForeignKey("calls.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "post_id", sa.Uuid(), sa.ForeignKey("posts.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("author", sa.Uuid(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("call_id", "post_id"),
        sa.UniqueConstraint("call_id", "author", name="uq_call_entries_author"),
    )


def downgrade() -> None:
    op.drop_table("call_entries")
    op.drop_table("calls")
