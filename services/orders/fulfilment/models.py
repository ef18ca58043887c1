"""Tables of fulfilment: the shipments of paid orders."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from chassis.clock import now
from chassis.db import UtcDateTime
from chassis.ids import new_id
from services.orders.models import Base


class Shipment(Base):
    """A parcel that left the warehouse with an order's lines (the whole order, for now)."""

    __tablename__ = "shipments"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    order_id: Mapped[UUID] = mapped_column(ForeignKey("orders.id"), index=True)
    carrier: Mapped[str] = mapped_column(String(100))
    tracking_number: Mapped[str] = mapped_column(String(100))
    shipped_by: Mapped[UUID] = mapped_column(Uuid)
    shipped_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
