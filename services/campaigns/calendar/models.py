"""Tables of the campaign calendar."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from chassis.clock import now
from chassis.db import UtcDateTime, enum_column
from chassis.ids import new_id
from chassis.money import money_columns
from services.campaigns.calendar.lifecycle import CampaignState
from services.campaigns.models import Base


class CampaignKind(StrEnum):
    HOLIDAY_SALE = "holiday_sale"
    THEMED_SESSION = "themed_session"
    BRAND_DAY = "brand_day"
    NEW_USER = "new_user"
    WIN_BACK = "win_back"
    LIVE_COMMERCE = "live_commerce"
    FLASH_SALE = "flash_sale"
    GROUP_BUY = "group_buy"
    LOTTERY = "lottery"


class Channel(StrEnum):
    APP = "app"
    WEB = "web"
    MINI_PROGRAM = "mini_program"
    LIVE = "live"
    SMS = "sms"
    EMAIL = "email"


class Campaign(Base):
    __tablename__ = "campaigns"
    __table_args__ = (Index("ix_campaigns_state_starts_at", "state", "starts_at"),)

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[CampaignKind] = mapped_column(enum_column(CampaignKind))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    segments: Mapped[list[str]] = mapped_column(JSON, default=list)
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    budget_amount: Mapped[int | None] = mapped_column(BigInteger)
    budget_currency: Mapped[str | None] = mapped_column(String(3))
    state: Mapped[CampaignState] = mapped_column(
        enum_column(CampaignState), default=CampaignState.DRAFT
    )
    # Why an operator put it on the calendar despite the conflicts reported to them.
    override_reason: Mapped[str | None] = mapped_column(Text)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[UUID] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    budget = money_columns("budget_amount", "budget_currency")
    skus: Mapped[list["CampaignSku"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="CampaignSku.sku_id"
    )

    @property
    def sku_ids(self) -> list[UUID]:
        return [sku.sku_id for sku in self.skus]


class CampaignSku(Base):
    """A SKU a campaign promotes (a row each, so overlaps are found by index)."""

    __tablename__ = "campaign_skus"

    campaign_id: Mapped[UUID] = mapped_column(
        Uuid, ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    sku_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, index=True)
