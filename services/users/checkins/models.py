"""Tables of check-ins."""

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import Date, Integer, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from chassis.db import UtcDateTime
from chassis.ids import new_id
from services.users.models import Base


class CheckIn(Base):
    """One check-in; the unique (user, local date) is the rule "once a day"."""

    __tablename__ = "check_ins"
    __table_args__ = (UniqueConstraint("user_id", "local_date", name="one_check_in_a_day"),)

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    user_id: Mapped[UUID] = mapped_column(Uuid)
    local_date: Mapped[date] = mapped_column(Date)  # the day in the user's time zone
    streak: Mapped[int] = mapped_column(Integer)  # consecutive days up to this one
    points: Mapped[int] = mapped_column(Integer)
    checked_in_at: Mapped[datetime] = mapped_column(UtcDateTime)
