"""Tables of the engagement database."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import Index, Integer, String, Text, Uuid, text
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
    user_id: Mapped[UUID] = mapped_column(Uuid)
    # A key, not an enum: templates become operator-edited data as journeys grow.
    template: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class EmailDelivery(Base):
    """An email to a user: recorded in the transaction that decides to send it, sent after
    it commits by the email sender, which marks it sent (or failed, if refused for good)."""

    __tablename__ = "email_deliveries"
    __table_args__ = (
        Index(
            "ix_email_deliveries_pending",
            "attempts",
            "created_at",
            postgresql_where=text("sent_at IS NULL AND failed_at IS NULL"),
            sqlite_where=text("sent_at IS NULL AND failed_at IS NULL"),
        ),
    )

    # Also the stable part of the Message-ID, the same on every retry.
    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    user_id: Mapped[UUID] = mapped_column(Uuid)
    address: Mapped[str] = mapped_column(String(320))
    template: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Not sent, ever: its recipient was erased before it went (the pending index still holds
    # it; there are few).
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ErasedUser(Base):
    """A user erased in users: what engagement kept about them was scrubbed, and nothing is
    sent to them again."""

    __tablename__ = "erased_users"

    user_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    erased_at: Mapped[datetime] = mapped_column(UtcDateTime)
