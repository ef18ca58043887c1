"""posts of every kind, their labels, and moderation; articles become posts

Revision ID: content_0003
Revises: content_0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "content_0003"
down_revision: str | None = "content_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=32)


def upgrade() -> None:
    posts = op.create_table(
        "posts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind", _enum("postkind", "article", "image", "video", "live", "guide"), nullable=False
        ),
        sa.Column(
            "state",
            _enum("poststate", "draft", "in_review", "scheduled", "published", "archived"),
            nullable=False,
        ),
        sa.Column("author", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=True),
        sa.Column("images", sa.JSON(), nullable=False),
        sa.Column("video", sa.JSON(), nullable=True),
        sa.Column("scenario", _enum("scenario", "outfit", "room", "tutorial"), nullable=True),
        sa.Column("live_state", _enum("livestate", "scheduled", "live", "ended"), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("replay_url", sa.String(length=2000), nullable=True),
        sa.Column("campaign_id", sa.Uuid(), nullable=True),
        sa.Column("product_ids", sa.JSON(), nullable=False),
        sa.Column("sku_ids", sa.JSON(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("review_note", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("publish_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_posts_author", "posts", ["author"])
    op.create_index("ix_posts_state_published", "posts", ["state", "published_at", "id"])
    op.create_index("ix_posts_state_publish_at", "posts", ["state", "publish_at"])
    labels = op.create_table(
        "post_labels",
        sa.Column("post_id", sa.Uuid(), nullable=False),
        sa.Column("kind", _enum("labelkind", "tag", "topic", "product", "sku"), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("post_id", "kind", "value"),
    )
    op.create_index("ix_post_labels_lookup", "post_labels", ["kind", "value"])
    op.create_table(
        "banned_words",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("term", sa.String(length=100), nullable=False),
        sa.Column("severity", _enum("severity", "flag", "block"), nullable=False),
        sa.Column("added_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("term"),
    )
    op.create_table(
        "reports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("post_id", sa.Uuid(), nullable=False),
        sa.Column("reporter", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("post_id", "reporter", name="uq_reports_post_reporter"),
    )
    op.create_table(
        "moderation_decisions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("post_id", sa.Uuid(), nullable=False),
        sa.Column("moderator", sa.Uuid(), nullable=False),
        sa.Column(
            "decision",
            _enum(
                "moderationdecision",
                "approved",
                "scheduled",
                "rejected",
                "archived",
                "reports_dismissed",
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_moderation_decisions_post_id", "moderation_decisions", ["post_id"])
    _articles_become_posts(posts, labels)
    op.drop_table("articles")


def _articles_become_posts(posts: sa.Table, labels: sa.Table) -> None:
    """Each article is kept as an article post in the same state, its links as labels."""
    # The renderer of the time, so the migrated articles read as new ones do.
    from services.content.posts.rendering import render

    bind = op.get_bind()
    articles = sa.table(
        "articles",
        sa.column("id", sa.Uuid()),
        sa.column("title", sa.String()),
        sa.column("body", sa.Text()),
        sa.column("state", sa.String()),
        sa.column("product_ids", sa.JSON()),
        sa.column("author", sa.Uuid()),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("published_at", sa.DateTime(timezone=True)),
    )
    for article in bind.execute(sa.select(articles)).mappings():
        bind.execute(
            posts.insert().values(
                id=article["id"],
                kind="article",
                state=article["state"],
                author=article["author"],
                title=article["title"],
                body=article["body"],
                body_html=render(article["body"]),
                images=[],
                product_ids=article["product_ids"],
                sku_ids=[],
                tags=[],
                topics=[],
                flags=[],
                created_at=article["created_at"],
                updated_at=article["published_at"] or article["created_at"],
                published_at=article["published_at"],
            )
        )
        for product_id in article["product_ids"]:
            bind.execute(
                labels.insert().values(post_id=article["id"], kind="product", value=product_id)
            )


def downgrade() -> None:
    raise NotImplementedError("articles live on as posts")
