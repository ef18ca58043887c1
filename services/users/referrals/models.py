"""Tables of referrals: each customer's code, and who referred whom."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from chassis.db import UtcDateTime, enum_column
from services.users.models import Base


class ReferralCode(Base):
    """A customer's personal invite code, one each (made when first asked for)."""

    __tablename__ = "referral_codes"

    user_id: Mapped[UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ReferralStatus(StrEnum):
    PENDING = "pending"  # attributed; the referee's first order has not completed
    REWARDED = "rewarded"


class Referral(Base):
    """Who referred a customer: the primary key makes it at most one referrer each."""

    __tablename__ = "referrals"

    referee_id: Mapped[UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    referrer_id: Mapped[UUID] = mapped_column(ForeignKey("users.id"), index=True)
    code: Mapped[str] = mapped_column(String(16))
    status: Mapped[ReferralStatus] = mapped_column(enum_column(ReferralStatus))
    attributed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    order_id: Mapped[UUID | None] = mapped_column(Uuid)  # the order that released the reward
    rewarded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
