"""Campaigns' calendar as its events tell it (each write idempotent and indifferent to
order), and the campaigns that could be pricing some SKUs now."""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.db import insert_for
from contracts.campaigns import CampaignScheduled
from services.orders.campaigns import rules
from services.orders.campaigns.models import CampaignSku, CampaignWindow


async def scheduled(session: AsyncSession, event: CampaignScheduled) -> None:
    """The campaign's kind, window and SKUs (again: the same values written again)."""
    table = CampaignWindow.__table__
    values = {"kind": event.kind, "starts_at": event.starts_at, "ends_at": event.ends_at}
    insert = insert_for(session, table).values(campaign_id=event.campaign_id, **values)
    await session.execute(
        insert.on_conflict_do_update(index_elements=[table.c.campaign_id], set_=values)
    )
    if event.sku_ids:
        skus = CampaignSku.__table__
        await session.execute(
            insert_for(session, skus)
            .values([{"campaign_id": event.campaign_id, "sku_id": s} for s in event.sku_ids])
            .on_conflict_do_nothing()
        )


async def started(session: AsyncSession, campaign_id: UUID, at: datetime) -> None:
    await _mark(session, campaign_id, "started_at", at)


async def closed(session: AsyncSession, campaign_id: UUID, at: datetime) -> None:
    """Ended or cancelled: the campaign prices nothing more (the first close heard stays)."""
    await _mark(session, campaign_id, "closed_at", at)


async def _mark(session: AsyncSession, campaign_id: UUID, column: str, at: datetime) -> None:
    table = CampaignWindow.__table__
    insert = insert_for(session, table).values(campaign_id=campaign_id, **{column: at})
    await session.execute(
        insert.on_conflict_do_update(
            index_elements=[table.c.campaign_id],
            set_={column: at},
            where=table.c[column].is_(None),
        )
    )


async def pricing(session: AsyncSession, sku_ids: Sequence[UUID], at: datetime) -> list[UUID]:
    """The campaigns that could be pricing any of these SKUs at `at` (`rules.could_price`),
    in id order."""
    rows = await session.execute(
        select(CampaignWindow)
        .join(CampaignSku, CampaignSku.campaign_id == CampaignWindow.campaign_id)
        .where(CampaignSku.sku_id.in_(set(sku_ids)))
        .distinct()
    )
    windows = [
        rules.Window(w.campaign_id, w.kind, w.starts_at, w.ends_at, w.started_at, w.closed_at)
        for w in rows.scalars()
    ]
    return sorted(w.campaign_id for w in windows if rules.could_price(w, at))
