"""Tables of the campaigns database."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import BigInteger, String, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chassis.clock import now
from chassis.db import UtcDateTime, enum_column
from chassis.ids import new_id
from chassis.money import money_columns


class Base(DeclarativeBase):
    pass


class CampaignKind(StrEnum):
    HOLIDAY_SALE = "holiday_sale"
    FLASH_SALE = "flash_sale"
    GROUP_BUY = "group_buy"
    LOTTERY = "lottery"
    BRAND_DAY = "brand_day"


class CampaignState(StrEnum):
    SCHEDULED = "scheduled"


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[CampaignKind] = mapped_column(enum_column(CampaignKind))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    budget_amount: Mapped[int | None] = mapped_column(BigInteger)
    budget_currency: Mapped[str | None] = mapped_column(String(3))
    state: Mapped[CampaignState] = mapped_column(
        enum_column(CampaignState), default=CampaignState.SCHEDULED
    )
    created_by: Mapped[UUID] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    budget = money_columns("budget_amount", "budget_currency")


class SkuPrice(Base):
    """Read model built from catalog events: a SKU's regular price, the base of campaign
    prices."""

    __tablename__ = "sku_prices"

    product_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    price_amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    price = money_columns("price_amount", "currency")
