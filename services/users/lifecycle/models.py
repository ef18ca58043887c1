"""Tables of the lifecycle: the versions of the rules, each user's stage, their timers."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import BigInteger, Integer, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from chassis.clock import now
from chassis.db import UtcDateTime, enum_column
from contracts.users import LifecycleStage
from services.users.models import Base


class LifecycleRules(Base):
    """One version of the thresholds; the highest version rules. Versions are never changed,
    and the primary key lets only one change make each next version."""

    __tablename__ = "lifecycle_rules"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    new_days: Mapped[int] = mapped_column(Integer)
    dormant_days: Mapped[int] = mapped_column(Integer)
    churned_days: Mapped[int] = mapped_column(Integer)
    high_value_spend: Mapped[int] = mapped_column(BigInteger)
    high_value_orders: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    created_by: Mapped[UUID | None] = mapped_column(Uuid)


class LifecycleState(Base):
    """A user's stage since a moment; no row means potential (never paid)."""

    __tablename__ = "lifecycle_states"

    user_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    stage: Mapped[LifecycleStage] = mapped_column(enum_column(LifecycleStage), index=True)
    since: Mapped[datetime] = mapped_column(UtcDateTime)
    rule_version: Mapped[int] = mapped_column(Integer)  # the rules it was last decided under


class LifecycleTimer(Base):
    """When time alone may next move the user (NULL: no clock runs): the durable timer the
    scheduler fires, written whenever the user's stage is decided."""

    __tablename__ = "lifecycle_timers"

    user_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
