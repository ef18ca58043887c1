"""Tables of points: the balance per user, its ledger, and the records of what each order
held and earned (compensation returns what they say, once)."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import CheckConstraint, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from chassis.clock import now
from chassis.db import UtcDateTime, enum_column
from chassis.ids import new_id
from services.users.models import Base


class EntryKind(StrEnum):
    EARNED = "earned"  # frozen +n
    UNFROZEN = "unfrozen"  # frozen -n, available +n
    HELD = "held"  # available -n, held +n
    SPENT = "spent"  # held -n
    RELEASED = "released"  # held -n, available +n
    REVERSED = "reversed"  # frozen or available -n
    CHECK_IN = "check_in"  # available +n
    REFERRAL = "referral"  # available +n
    CONTENT_CALL = "content_call"  # available +n: a content call won


class HoldStatus(StrEnum):
    HELD = "held"
    REFUSED = "refused"
    TAKEN = "taken"
    RELEASED = "released"


class EarningStatus(StrEnum):
    FROZEN = "frozen"
    AVAILABLE = "available"


class PointsAccount(Base):
    """The sums of a user's ledger, kept by guarded statements so that none goes negative."""

    __tablename__ = "points_accounts"
    __table_args__ = (
        CheckConstraint("available >= 0", name="points_available_not_negative"),
        CheckConstraint("frozen >= 0", name="points_frozen_not_negative"),
        CheckConstraint("held >= 0", name="points_held_not_negative"),
    )

    user_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    available: Mapped[int] = mapped_column(Integer, default=0)
    frozen: Mapped[int] = mapped_column(Integer, default=0)
    held: Mapped[int] = mapped_column(Integer, default=0)


class PointsEntry(Base):
    """One movement of a user's points, never changed: the account is the sum of these."""

    __tablename__ = "points_entries"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    user_id: Mapped[UUID] = mapped_column(Uuid, index=True)
    kind: Mapped[EntryKind] = mapped_column(enum_column(EntryKind))
    available_delta: Mapped[int] = mapped_column(Integer, default=0)
    frozen_delta: Mapped[int] = mapped_column(Integer, default=0)
    held_delta: Mapped[int] = mapped_column(Integer, default=0)
    order_id: Mapped[UUID | None] = mapped_column(Uuid)
    # What the movement is for ("held:<order>", "reversed:<refund>", "check_in:<id>"):
    # unique, so no cause moves points twice.
    cause: Mapped[str] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)


class PointsHold(Base):
    """What an order asked to redeem and what became of it: the record its payment takes
    and its cancellation returns, each once (the status guards the change)."""

    __tablename__ = "points_holds"

    order_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    user_id: Mapped[UUID] = mapped_column(Uuid)
    points: Mapped[int] = mapped_column(Integer)
    status: Mapped[HoldStatus] = mapped_column(enum_column(HoldStatus))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)


class PointsEarning(Base):
    """What a paid order earned, from what amount, and how much refunds took back."""

    __tablename__ = "points_earnings"
    __table_args__ = (CheckConstraint("reversed <= points", name="points_reversed_at_most"),)

    order_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    user_id: Mapped[UUID] = mapped_column(Uuid)
    points: Mapped[int] = mapped_column(Integer)
    basis: Mapped[int] = mapped_column(Integer)  # minor units paid for the lines
    currency: Mapped[str] = mapped_column(String(3))
    reversed: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[EarningStatus] = mapped_column(enum_column(EarningStatus))
    earned_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)


class CallReward(Base):
    """Points a content call's winner was credited: one row per (call, winner), its primary
    key, so neither a redelivery nor a second winning post of the same author credits again."""

    __tablename__ = "points_call_rewards"

    call_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    user_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    post_id: Mapped[UUID] = mapped_column(Uuid)  # the winning post that credited it
    points: Mapped[int] = mapped_column(Integer)
    rewarded_at: Mapped[datetime] = mapped_column(UtcDateTime)
