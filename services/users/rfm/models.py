"""Tables of RFM: the cut-offs in force, each user's scores and their recency timer."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import JSON, BigInteger, Integer, SmallInteger, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from chassis.db import UtcDateTime
from services.users.models import Base


class RfmCuts(Base):
    """The one row of cut-offs in force (`id` 1): recomputed quintiles, or an operator's."""

    __tablename__ = "rfm_cuts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    basis: Mapped[str] = mapped_column(String(16))  # "quintiles" or "operator"
    recency_days: Mapped[list[int]] = mapped_column(JSON)
    frequency: Mapped[list[int]] = mapped_column(JSON)
    monetary: Mapped[list[int]] = mapped_column(JSON)
    population: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime)


class RfmScore(Base):
    """A user's scores (1..5 each) and the values they were scored from."""

    __tablename__ = "rfm_scores"

    user_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    recency_days: Mapped[int] = mapped_column(Integer)
    frequency: Mapped[int] = mapped_column(Integer)
    monetary: Mapped[int] = mapped_column(BigInteger)
    r: Mapped[int] = mapped_column(SmallInteger, index=True)
    f: Mapped[int] = mapped_column(SmallInteger, index=True)
    m: Mapped[int] = mapped_column(SmallInteger, index=True)
    scored_at: Mapped[datetime] = mapped_column(UtcDateTime)


class RfmTimer(Base):
    """When the user's recency score next falls by time alone (NULL: it cannot fall, or no
    cut-offs yet): the durable timer the scheduler fires, written whenever the user is
    scored. Its row is also the user's lock for RFM: every scoring takes it first."""

    __tablename__ = "rfm_timers"

    user_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
