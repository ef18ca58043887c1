"""Paid orders attributed to campaigns and the refunds of orders: the GMV side of campaign
performance."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import BigInteger, ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from chassis.db import UtcDateTime
from services.campaigns.models import Base


class AttributedOrder(Base):
    """A paid order that a campaign brought about (named on the order, or through its
    coupons or flash reservation); an order counts once per campaign."""

    __tablename__ = "attributed_orders"

    campaign_id: Mapped[UUID] = mapped_column(
        Uuid, ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    order_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    customer_id: Mapped[UUID] = mapped_column(Uuid)
    total: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    paid_at: Mapped[datetime] = mapped_column(UtcDateTime)


class OrderRefund(Base):
    """A refund of an order (`orders.refund.completed`), whatever campaign it turns out to
    be behind: its payment may be attributed after it (another topic), so the two meet
    when performance is read. One row per refund, however often its event comes."""

    __tablename__ = "order_refunds"

    refund_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    order_id: Mapped[UUID] = mapped_column(Uuid, index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    refunded_at: Mapped[datetime] = mapped_column(UtcDateTime)
