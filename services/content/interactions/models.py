"""Tables of interactions: reactions (one per user, post and kind), what each user has
seen, each post's counters, and comments."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from chassis.clock import now
from chassis.db import UtcDateTime, enum_column
from chassis.ids import new_id
from services.content.models import Base


class ReactionKind(StrEnum):
    LIKE = "like"
    FAVOURITE = "favourite"


class Reaction(Base):
    """A like or a favourite: the primary key makes a second one a no-op."""

    __tablename__ = "reactions"

    user_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    post_id: Mapped[UUID] = mapped_column(
        Uuid, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[ReactionKind] = mapped_column(enum_column(ReactionKind), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)

    __table_args__ = (Index("ix_reactions_user_kind_created", "user_id", "kind", "created_at"),)


class Seen(Base):
    """That a user has viewed a post (how often, for how long): feeds leave it out."""

    __tablename__ = "seen"

    user_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    post_id: Mapped[UUID] = mapped_column(
        Uuid, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    views: Mapped[int] = mapped_column(Integer, default=1)
    dwell_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)


class PostStats(Base):
    """A post's counters, each changed by one statement in the transaction that records
    the interaction (never read-modify-write)."""

    __tablename__ = "post_stats"

    post_id: Mapped[UUID] = mapped_column(
        Uuid, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    views: Mapped[int] = mapped_column(BigInteger, default=0)
    dwell_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    likes: Mapped[int] = mapped_column(BigInteger, default=0)
    favourites: Mapped[int] = mapped_column(BigInteger, default=0)
    shares: Mapped[int] = mapped_column(BigInteger, default=0)
    comments: Mapped[int] = mapped_column(BigInteger, default=0)
    clicks: Mapped[int] = mapped_column(BigInteger, default=0)


class CommentState(StrEnum):
    VISIBLE = "visible"
    HELD = "held"  # a flagged word: shown to its author and moderators until released
    REMOVED = "removed"  # by a moderator
    DELETED = "deleted"  # by its author; kept as a placeholder so replies keep their thread


class Comment(Base):
    __tablename__ = "comments"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    post_id: Mapped[UUID] = mapped_column(Uuid, ForeignKey("posts.id", ondelete="CASCADE"))
    parent_id: Mapped[UUID | None] = mapped_column(Uuid, ForeignKey("comments.id"))
    author: Mapped[UUID] = mapped_column(Uuid)
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[CommentState] = mapped_column(enum_column(CommentState))
    flags: Mapped[list[dict]] = mapped_column(JSON, default=list)
    moderation_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)

    __table_args__ = (Index("ix_comments_post_created", "post_id", "created_at", "id"),)
