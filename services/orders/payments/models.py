"""Tables of payments: one payment per order, the callbacks' spent nonces."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import BigInteger, ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from chassis.clock import now
from chassis.db import UtcDateTime, enum_column
from chassis.ids import new_id
from chassis.money import money_columns
from services.orders.models import Base


class PaymentStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"


class Payment(Base):
    __tablename__ = "payments"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    # At most one payment per order: the second is refused by the constraint, not a count.
    order_id: Mapped[UUID] = mapped_column(ForeignKey("orders.id"), unique=True)
    provider: Mapped[str] = mapped_column(String(50))
    reference: Mapped[str] = mapped_column(String(200))
    page_url: Mapped[str] = mapped_column(String(1000))
    status: Mapped[PaymentStatus] = mapped_column(
        enum_column(PaymentStatus), default=PaymentStatus.PENDING
    )
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    paid_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    amount = money_columns("amount_minor", "currency")


class CallbackNonce(Base):
    """A callback's nonce, spent: the same callback delivered again is refused."""

    __tablename__ = "payment_callback_nonces"

    provider: Mapped[str] = mapped_column(String(50), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(100), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
