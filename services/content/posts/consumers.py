"""Events posts consume: the catalog's products, which posts may link to, and the
campaigns' calendar, whose live-commerce campaigns live sessions may link to."""

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.db import insert_if_absent
from chassis.events.handlers import consumes
from contracts.campaigns import (
    CampaignCancelled,
    CampaignEnded,
    CampaignScheduled,
    CampaignStarted,
)
from contracts.catalog import ProductCreated
from services.content.posts.models import CampaignState, LinkedCampaign, LinkedProduct


@consumes(ProductCreated)
async def on_product_created(event: ProductCreated, session: AsyncSession) -> None:
    await session.merge(LinkedProduct(product_id=event.product_id, name=event.name))


@consumes(CampaignScheduled)
async def on_campaign_scheduled(event: CampaignScheduled, session: AsyncSession) -> None:
    """Once per campaign: a redelivery finds the row (maybe moved on) and leaves it."""
    await insert_if_absent(
        session,
        LinkedCampaign.__table__,
        campaign_id=event.campaign_id,
        name=event.name[:200],
        kind=event.kind[:32],
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        state=CampaignState.SCHEDULED,
    )


# Each move is one guarded UPDATE from the states it may leave: a redelivered or late event
# never moves a campaign back.
_MOVES = {
    CampaignState.RUNNING: (CampaignState.SCHEDULED,),
    CampaignState.ENDED: (CampaignState.SCHEDULED, CampaignState.RUNNING),
    CampaignState.CANCELLED: (CampaignState.SCHEDULED, CampaignState.RUNNING),
}


async def _move(session: AsyncSession, campaign_id, target: CampaignState) -> None:
    await session.execute(
        update(LinkedCampaign)
        .where(LinkedCampaign.campaign_id == campaign_id, LinkedCampaign.state.in_(_MOVES[target]))
        .values(state=target)
    )


@consumes(CampaignStarted)
async def on_campaign_started(event: CampaignStarted, session: AsyncSession) -> None:
    await _move(session, event.campaign_id, CampaignState.RUNNING)


@consumes(CampaignEnded)
async def on_campaign_ended(event: CampaignEnded, session: AsyncSession) -> None:
    await _move(session, event.campaign_id, CampaignState.ENDED)


@consumes(CampaignCancelled)
async def on_campaign_cancelled(event: CampaignCancelled, session: AsyncSession) -> None:
    await _move(session, event.campaign_id, CampaignState.CANCELLED)
