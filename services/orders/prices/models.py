"""The read model of the catalog: products' listing state, their SKUs, SKU price points.

Each row carries the time of the catalog event that last set it, and an event older than
that changes nothing (`prices/service.py`), so events applied out of order, or replayed,
leave the newest state.
"""

from datetime import datetime
from uuid import UUID

from sqlalchemy import BigInteger, Boolean, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from chassis.db import UtcDateTime
from chassis.money import money_columns
from services.orders.models import Base


class CatalogProduct(Base):
    """A product: its name (from created/updated) and listing state (from every event that
    states it), each with the time of the event that set it."""

    __tablename__ = "catalog_products"

    product_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    details_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    state: Mapped[str | None] = mapped_column(String(30))
    state_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class CatalogSku(Base):
    """A SKU of a product; `present` False once a newer product event left it out."""

    __tablename__ = "catalog_skus"

    sku_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    product_id: Mapped[UUID] = mapped_column(Uuid, index=True)
    code: Mapped[str | None] = mapped_column(String(64))
    # Shipping weight of a unit, as the catalog's last event about the SKU stated it.
    weight_grams: Mapped[int | None] = mapped_column(Integer)
    present: Mapped[bool] = mapped_column(Boolean)
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SkuPricePoint(Base):
    """A SKU's price from `effective_at` on; the point in force is the latest one started.
    Points older than the one in force are pruned as new ones arrive."""

    __tablename__ = "sku_price_points"

    sku_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    effective_at: Mapped[datetime] = mapped_column(UtcDateTime, primary_key=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    price = money_columns("amount", "currency")
