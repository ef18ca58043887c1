"""Tables of birthdays."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import Integer, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from chassis.db import UtcDateTime
from services.users.models import Base


class BirthdayTimer(Base):
    """The next celebration of a customer's birthday still to announce: local midnight of it
    in their time zone, in UTC (`due_at`), and its year. No row: no birthday given."""

    __tablename__ = "birthday_timers"

    user_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    year: Mapped[int] = mapped_column(Integer)


class BirthdayAnnounced(Base):
    """A year whose birthday was announced for the customer: once per user and year, however
    often a timer fires (the primary key, taken before the event is staged)."""

    __tablename__ = "birthdays_announced"

    user_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    announced_at: Mapped[datetime] = mapped_column(UtcDateTime)
