"""The read model of catalog prices: what can be ordered, and at what price."""

from uuid import UUID

from sqlalchemy import BigInteger, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from chassis.money import money_columns
from services.orders.models import Base


class KnownProduct(Base):
    """A sellable unit and its list price, from catalog events.

    Today the catalog publishes products only (`ProductCreated`), so each product is its own
    SKU: `product_id` is the SKU id orders are placed with. When catalog publishes SKU,
    price and listing events, their handlers (prices/consumers.py) keep this table by SKU and
    add the listing state; checkout reads it only through `prices.service.price_list`.
    """

    __tablename__ = "known_products"

    product_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    price_amount: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))
    price = money_columns("price_amount", "currency")
