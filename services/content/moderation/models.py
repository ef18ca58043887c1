"""Tables of moderation: the banned-words list, user reports and moderators' decisions."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import ForeignKey, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from chassis.clock import now
from chassis.db import UtcDateTime, enum_column
from chassis.ids import new_id
from contracts.content import ModerationDecision as Decision
from services.content.models import Base
from services.content.moderation.filter import Severity


class BannedWord(Base):
    __tablename__ = "banned_words"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    term: Mapped[str] = mapped_column(String(100), unique=True)
    severity: Mapped[Severity] = mapped_column(enum_column(Severity))
    added_by: Mapped[UUID] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)


class Report(Base):
    """A user's report of a post; open until a moderator decides on the post."""

    __tablename__ = "reports"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    post_id: Mapped[UUID] = mapped_column(Uuid, ForeignKey("posts.id", ondelete="CASCADE"))
    reporter: Mapped[UUID] = mapped_column(Uuid)
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    # One report per user and post: a repeat adds no weight to the queue.
    __table_args__ = (UniqueConstraint("post_id", "reporter", name="uq_reports_post_reporter"),)


class ModerationDecision(Base):
    __tablename__ = "moderation_decisions"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    post_id: Mapped[UUID] = mapped_column(
        Uuid, ForeignKey("posts.id", ondelete="CASCADE"), index=True
    )
    moderator: Mapped[UUID] = mapped_column(Uuid)
    decision: Mapped[Decision] = mapped_column(enum_column(Decision))
    reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
