"""Tables of the analytics database."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import JSON, Index, String, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chassis.clock import now
from chassis.db import UtcDateTime


class Base(DeclarativeBase):
    pass


class StoredEvent(Base):
    """Every domain and behaviour event, as its CloudEvent envelope."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_type_time", "type", "time"),
        Index("ix_events_subject_time", "subject", "time"),
        Index("ix_events_time", "time"),
    )

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    type: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str | None] = mapped_column(String(200))
    time: Mapped[datetime] = mapped_column(UtcDateTime)
    data: Mapped[dict] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
