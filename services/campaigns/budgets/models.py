"""Tables of budgets: each campaign's budget and spend, and every charge against it."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from chassis.clock import now
from chassis.db import UtcDateTime
from chassis.ids import new_id
from services.campaigns.models import Base


class Budget(Base):
    __tablename__ = "budgets"
    __table_args__ = (
        CheckConstraint("spent >= 0 AND spent <= amount", name="spent_within_budget"),
    )

    campaign_id: Mapped[UUID] = mapped_column(
        Uuid, ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[int] = mapped_column(BigInteger)
    spent: Mapped[int] = mapped_column(BigInteger, default=0)
    # Set when a charge did not fit; cleared when a release makes room again.
    exhausted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class BudgetCharge(Base):
    """What one thing (a coupon on an order, a prize, a flash price gap) took of a budget:
    the record a release gives back, keyed so that it is taken and given back once."""

    __tablename__ = "budget_charges"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    campaign_id: Mapped[UUID] = mapped_column(Uuid, ForeignKey("campaigns.id"), index=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    taken_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    released_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
