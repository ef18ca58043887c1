"""Tables of carts: one server-side cart per customer, a line per SKU."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import Integer, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from chassis.clock import now
from chassis.db import UtcDateTime
from services.orders.models import Base


class CartLine(Base):
    """A SKU in a customer's cart; at most one line per SKU (the primary key)."""

    __tablename__ = "cart_lines"

    customer_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    sku_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer)
    added_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now, onupdate=now)
