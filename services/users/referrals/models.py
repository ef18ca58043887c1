"""Tables of referrals: each customer's code, and who referred whom."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import ForeignKey, Integer, String, Uuid
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
    REFUSED = "refused"  # the sides share a signal (`refusal` says which): no one rewarded
    CAPPED = "capped"  # the referrer's rewards of the month were all taken: no one rewarded


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
    rewarded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # or refused, capped
    refusal: Mapped[str | None] = mapped_column(String(64))  # the signals, comma-separated


class RewardMonth(Base):
    """How many referrals rewarded a referrer in a calendar month: the cap is a guarded
    increment of this row, so concurrent rewards never pass it."""

    __tablename__ = "referral_reward_months"

    referrer_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # 2026-12
    rewarded: Mapped[int] = mapped_column(Integer)


class SeenDevice(Base):
    """A device (the storefront's anonymous id) a user was signed in on, from behaviour
    events that carry both: one of the signals that two accounts are one person."""

    __tablename__ = "user_devices"

    user_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    device_id: Mapped[str] = mapped_column(String(128), primary_key=True, index=True)
    first_seen_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SeenPayer(Base):
    """A payer account a user paid from, as orders' `payer_ref` on `order.paid` (a keyed hash
    of the provider's account id, never the id): one wallet paying for two accounts is one
    of the signals that they are one person."""

    __tablename__ = "user_payers"

    user_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    payer_ref: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    first_seen_at: Mapped[datetime] = mapped_column(UtcDateTime)
