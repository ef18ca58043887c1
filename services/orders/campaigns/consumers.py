"""Campaigns' calendar events orders keeps: which campaigns may price which SKUs, so that
checkout knows when the catalog's price may be charged without campaigns' quote."""

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events.handlers import consumes
from contracts.campaigns import CampaignCancelled, CampaignEnded, CampaignScheduled, CampaignStarted
from services.orders.campaigns import service


@consumes(CampaignScheduled)
async def on_campaign_scheduled(event: CampaignScheduled, session: AsyncSession) -> None:
    await service.scheduled(session, event)


@consumes(CampaignStarted)
async def on_campaign_started(event: CampaignStarted, session: AsyncSession) -> None:
    await service.started(session, event.campaign_id, event.started_at)


@consumes(CampaignEnded)
async def on_campaign_ended(event: CampaignEnded, session: AsyncSession) -> None:
    await service.closed(session, event.campaign_id, event.ended_at)


@consumes(CampaignCancelled)
async def on_campaign_cancelled(event: CampaignCancelled, session: AsyncSession) -> None:
    await service.closed(session, event.campaign_id, event.cancelled_at)


HANDLERS = [on_campaign_scheduled, on_campaign_started, on_campaign_ended, on_campaign_cancelled]
