"""Tables of insights: the SKUs operators feature (at most one row per SKU: its key)."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from chassis.clock import now
from chassis.db import UtcDateTime
from services.catalog.models import Base


class FeaturedSku(Base):
    __tablename__ = "featured_skus"

    sku_id: Mapped[UUID] = mapped_column(ForeignKey("skus.id"), primary_key=True)
    featured_by: Mapped[UUID] = mapped_column(Uuid)
    featured_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    note: Mapped[str | None] = mapped_column(String(500))
