"""The segment membership read model: who is in which users segment now, and the segments
users deleted."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import Uuid
from sqlalchemy.orm import Mapped, mapped_column

from chassis.db import UtcDateTime
from services.campaigns.models import Base


class SegmentMember(Base):
    """A user in a segment of the users service, since `entered_at` (from
    `users.segment.entered`; `users.segment.left` removes the row)."""

    __tablename__ = "segment_members"

    segment_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    user_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    entered_at: Mapped[datetime] = mapped_column(UtcDateTime)


class DeletedSegment(Base):
    """A segment users deleted (`users.segment.deleted`): its members were dropped, and an
    entry into it that comes after (keyed by user, on another partition than the deletion)
    is not kept."""

    __tablename__ = "deleted_segments"

    segment_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    deleted_at: Mapped[datetime] = mapped_column(UtcDateTime)
