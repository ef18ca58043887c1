"""Tables of content calls: the calls and their entries (winners carry their rank)."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from chassis.clock import now
from chassis.db import UtcDateTime, enum_column
from chassis.ids import new_id
from services.content.models import Base


class Judging(StrEnum):
    OPERATORS = "operators"  # operators name the winners
    ENGAGEMENT = "engagement"  # the entries with the most engagement win


class Call(Base):
    __tablename__ = "calls"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    topic: Mapped[str | None] = mapped_column(String(32))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    judging: Mapped[Judging] = mapped_column(enum_column(Judging))
    winners: Mapped[int] = mapped_column(Integer)
    reward: Mapped[dict] = mapped_column(JSON)
    created_by: Mapped[UUID] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    judged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class CallEntry(Base):
    __tablename__ = "call_entries"

    call_id: Mapped[UUID] = mapped_column(
        Uuid, ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True
    )
    post_id: Mapped[UUID] = mapped_column(
        Uuid, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    author: Mapped[UUID] = mapped_column(Uuid)
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    rank: Mapped[int | None] = mapped_column(Integer)  # set for winners

    # One entry per customer and call: a contest, not a lottery of volume.
    __table_args__ = (UniqueConstraint("call_id", "author", name="uq_call_entries_author"),)
