"""Tables of the metrics read model."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import Integer, String, Uuid
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
