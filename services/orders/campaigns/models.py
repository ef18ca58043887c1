"""Tables of the read model of campaigns' calendar: which campaigns may price which SKUs,
and when (campaigns owns them; orders keeps what its events told)."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from chassis.db import UtcDateTime
from services.orders.models import Base


class CampaignWindow(Base):
    """A campaign as `campaign.scheduled` told it (kind, window), with `started_at` from
    `campaign.started` and `closed_at` from `campaign.ended` or `.cancelled`. A start or a
    close heard before the scheduling (it cannot be, the events share the campaign's key, but
    a replay may) keeps a row without kind or window until the scheduling fills them in."""

    __tablename__ = "campaign_windows"

    campaign_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    kind: Mapped[str | None] = mapped_column(String(40))
    starts_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class CampaignSku(Base):
    """A SKU a campaign promotes (`sku_ids` of `campaign.scheduled`): the SKUs its prices
    may cover."""

    __tablename__ = "campaign_skus"
    __table_args__ = (Index("ix_campaign_skus_sku", "sku_id"),)

    campaign_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    sku_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
