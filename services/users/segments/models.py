"""Tables of segments: definitions, the index from fields to the segments that read them,
materialized membership, and the timers of time windows."""

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from chassis.clock import now
from chassis.db import UtcDateTime
from chassis.ids import new_id
from services.users.models import Base


class Segment(Base):
    __tablename__ = "segments"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    rule: Mapped[dict[str, Any]] = mapped_column(JSON)  # as saved; parsed again to evaluate
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    created_by: Mapped[UUID] = mapped_column(Uuid)
    # Each edit makes the next version, named by the edit it replaces (a stale edit is a 409).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_by: Mapped[UUID | None] = mapped_column(Uuid)


class SegmentField(Base):
    """A field a segment's rule reads: a change of the field re-evaluates only these."""

    __tablename__ = "segment_fields"

    segment_id: Mapped[UUID] = mapped_column(
        ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True
    )
    field: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class SegmentMember(Base):
    """A user in a segment now; the primary key makes entering (and its event) happen once."""

    __tablename__ = "segment_members"

    segment_id: Mapped[UUID] = mapped_column(
        ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    entered_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SegmentTimer(Base):
    """When time alone can next change a user's result under a segment's time windows (a
    window's moment plus its days): the scheduler evaluates the pair again then."""

    __tablename__ = "segment_timers"

    segment_id: Mapped[UUID] = mapped_column(
        ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
