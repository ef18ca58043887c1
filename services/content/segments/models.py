"""The read model of segment membership, from users' segment events."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import Index, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from chassis.db import UtcDateTime
from services.content.models import Base


class SegmentMember(Base):
    """That a user is in a segment since `since` (users' `segment.entered`); the row goes when
    they leave it (`segment.left`)."""

    __tablename__ = "segment_members"

    user_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    segment_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    since: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_segment_members_segment", "segment_id"),)
