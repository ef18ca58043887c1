"""Tables of the saga: each participant's answer about each order, at most one."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from chassis.clock import now
from chassis.db import UtcDateTime, enum_column
from services.orders.models import Base
from services.orders.saga.coordinator import Participant


class SagaAnswer(Base):
    """A participant's yes or no for an order; the primary key keeps the first one."""

    __tablename__ = "saga_answers"

    order_id: Mapped[UUID] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True
    )
    participant: Mapped[Participant] = mapped_column(enum_column(Participant), primary_key=True)
    accepted: Mapped[bool] = mapped_column(Boolean)
    detail: Mapped[str | None] = mapped_column(String(1000))
    answered_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
