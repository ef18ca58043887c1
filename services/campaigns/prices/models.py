"""The SKU price read model, built from catalog events."""

from uuid import UUID

from sqlalchemy import BigInteger, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from chassis.money import money_columns
from services.campaigns.models import Base


class SkuPrice(Base):
    """A SKU's regular price, the base of campaign prices."""

    __tablename__ = "sku_prices"

    product_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    price_amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    price = money_columns("price_amount", "currency")
