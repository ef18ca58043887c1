"""Tables of the metrics read model: order stats, paid orders and their refunds, activity."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import BigInteger, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from chassis.db import UtcDateTime
from services.users.models import Base


class OrderStats(Base):
    """Read model built from order events: the F and M of RFM."""

    __tablename__ = "order_stats"

    user_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    order_count: Mapped[int] = mapped_column(Integer, default=0)
    total_spent: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3))
    last_order_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PaidOrder(Base):
    """A paid order as counted, once, with what its refunds took back: the rolling spend of
    membership is summed from these."""

    __tablename__ = "paid_orders"

    order_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    user_id: Mapped[UUID] = mapped_column(Uuid, index=True)
    amount: Mapped[int] = mapped_column(BigInteger)  # minor units paid
    refunded: Mapped[int] = mapped_column(BigInteger, default=0)
    currency: Mapped[str] = mapped_column(String(3))
    paid_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CountedRefund(Base):
    """A refund already taken off its order's spend: a redelivery finds it and stops."""

    __tablename__ = "counted_refunds"

    refund_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    order_id: Mapped[UUID] = mapped_column(Uuid)
    amount: Mapped[int] = mapped_column(BigInteger)  # what it took off (never beyond paid)


class UserActivity(Base):
    """What lifecycle, RFM and tiers read: paid orders, net spend, first and last payment,
    last activity (any order or behaviour event)."""

    __tablename__ = "user_activity"

    user_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    paid_orders: Mapped[int] = mapped_column(Integer, default=0)
    net_spend: Mapped[int] = mapped_column(BigInteger, default=0)
    first_paid_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_paid_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_active_at: Mapped[datetime] = mapped_column(UtcDateTime)
