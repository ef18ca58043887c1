"""interactions: reactions, what each user has seen, post counters, comments

Revision ID: content_0005
Revises: content_0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "content_0005"
down_revision: str | None = "content_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _post_id() -> sa.Column:
    return sa.Column(
        "post_id", sa.Uuid(), sa.ForeignKey("posts.id", ondelete="CASCADE"), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "reactions",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        _post_id(),
        sa.Column(
            "kind",
            sa.Enum("like", "favourite", name="reactionkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "post_id", "kind"),
    )
    op.create_index(
        "ix_reactions_user_kind_created", "reactions", ["user_id", "kind", "created_at"]
    )
    op.create_table(
        "seen",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        _post_id(),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.Column("dwell_ms", sa.BigInteger(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "post_id"),
    )
    op.create_table(
        "post_stats",
        _post_id(),
        *(
            sa.Column(name, sa.BigInteger(), nullable=False)
            for name in ("views", "dwell_ms", "likes", "favourites", "shares", "comments", "clicks")
        ),
        sa.PrimaryKeyConstraint("post_id"),
    )
    op.create_table(
        "comments",
        sa.Column("id", sa.Uuid(), nullable=False),
        _post_id(),
        sa.Column("parent_id", sa.Uuid(), sa.ForeignKey("comments.id"), nullable=True),
        sa.Column("author", sa.Uuid(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "visible",
                "held",
                "removed",
                "deleted",
                name="commentstate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("moderation_reason", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_comments_post_created", "comments", ["post_id", "created_at", "id"])


def downgrade() -> None:
    op.drop_table("comments")
    op.drop_table("post_stats")
    op.drop_table("seen")
    op.drop_table("reactions")
