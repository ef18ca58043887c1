"""Tables of the engagement database."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import Index, String, Text, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chassis.clock import now
from chassis.db import UtcDateTime
from chassis.ids import new_id


class Base(DeclarativeBase):
    pass


class InboxMessage(Base):
    """A message in a user's in-app inbox."""

    __tablename__ = "inbox_messages"
    __table_args__ = (Index("ix_inbox_messages_user_newest", "user_id", "created_at", "id"),)

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(String(64))
    # A key, not an enum: templates become operator-edited data as journeys grow.
    template: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
