"""The SKU price read model, built from catalog events, and the prices campaigns set."""

from uuid import UUID

from sqlalchemy import BigInteger, ForeignKey, String, Uuid
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


class CampaignPrice(Base):
    """A SKU's price while its campaign runs (a holiday sale's, a brand day's): one per
    campaign and SKU."""

    __tablename__ = "campaign_prices"

    campaign_id: Mapped[UUID] = mapped_column(
        Uuid, ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    sku_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, index=True)
    price_amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    price = money_columns("price_amount", "currency")
