"""Calendar operations: plan, check for conflicts, schedule, cancel, move on time.

Each state change is one guarded UPDATE that names the state it leaves, so a scheduler tick
and an operator's cancel racing on one campaign cannot both win."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from chassis.clock import now
from chassis.events import outbox
from chassis.http.problems import Conflict, NotFound
from contracts.campaigns import CampaignCancelled, CampaignEnded, CampaignScheduled, CampaignStarted
from services.campaigns.budgets import service as budgets
from services.campaigns.calendar import conflicts, lifecycle
from services.campaigns.calendar.lifecycle import CampaignState, IllegalTransition
from services.campaigns.calendar.models import Campaign, CampaignSku
from services.campaigns.calendar.schemas import CampaignPlan


async def plan(session: AsyncSession, body: CampaignPlan, by: UUID) -> Campaign:
    campaign = Campaign(
        name=body.name,
        kind=body.kind,
        time_zone=body.time_zone,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        segments=[str(segment_id) for segment_id in body.segments],  # canonical: by id
        channels=list(body.channels),
        budget=body.budget,
        created_by=by,
        skus=[CampaignSku(sku_id=sku_id) for sku_id in body.sku_ids],
    )
    session.add(campaign)
    if body.budget is not None:
        await session.flush()  # the budget row refers to the campaign
        budgets.open_budget(session, campaign.id, body.budget)
    await session.commit()
    return campaign


async def get(session: AsyncSession, campaign_id: UUID) -> Campaign:
    campaign = await session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(f"No campaign {campaign_id}.")
    return campaign


async def refuse_if_over(session: AsyncSession, campaign_id: UUID | None, what: str) -> None:
    """A 409 when `what` belongs to a campaign that ended or was cancelled."""
    if campaign_id is None:
        return
    campaign = await session.get(Campaign, campaign_id)
    if campaign.state in lifecycle.OVER:
        raise Conflict(f"The campaign of {what} is {campaign.state}.")


async def conflicts_of(session: AsyncSession, campaign: Campaign) -> list[conflicts.Conflict]:
    """The campaigns on the calendar that `campaign` would clash with."""
    overlapping = await session.scalars(
        select(Campaign).where(
            Campaign.state.in_(lifecycle.ON_CALENDAR),
            Campaign.starts_at < campaign.ends_at,
            Campaign.ends_at > campaign.starts_at,
            Campaign.id != campaign.id,
        )
    )
    return conflicts.conflicts(_plan_of(campaign), [_plan_of(c) for c in overlapping])


async def schedule(
    session: AsyncSession, campaign_id: UUID, by: UUID, override_reason: str | None
) -> Campaign:
    """Put a draft on the calendar. Conflicts are a 409 listing them, unless the operator
    gives the reason to go ahead anyway (kept on the campaign and in the event)."""
    campaign = await get(session, campaign_id)
    _check(campaign.state, CampaignState.SCHEDULED)
    if campaign.ends_at <= now():
        raise Conflict(f"Campaign {campaign_id} ended at {campaign.ends_at.isoformat()}.")
    found = await conflicts_of(session, campaign)
    if found and override_reason is None:
        raise Conflict(
            f"Campaign {campaign_id} overlaps {len(found)} campaign(s) on the same SKUs or "
            "segments; schedule with an override_reason to go ahead.",
            conflicts=[_conflict_json(c) for c in found],
        )
    await _move(session, campaign, CampaignState.SCHEDULED, override_reason=override_reason)
    await outbox.add(
        session,
        CampaignScheduled(
            campaign_id=campaign.id,
            name=campaign.name,
            kind=campaign.kind,
            starts_at=campaign.starts_at,
            ends_at=campaign.ends_at,
            budget=campaign.budget,
            scheduled_by=by,
            sku_ids=campaign.sku_ids,
            segments=campaign.segments,
            override_reason=override_reason if found else None,
        ),
    )
    await session.commit()
    return campaign


async def cancel(session: AsyncSession, campaign_id: UUID, by: UUID, reason: str) -> Campaign:
    campaign = await get(session, campaign_id)
    _check(campaign.state, CampaignState.CANCELLED)
    at = now()
    await _move(session, campaign, CampaignState.CANCELLED, cancel_reason=reason)
    await outbox.add(
        session,
        CampaignCancelled(campaign_id=campaign.id, reason=reason, cancelled_by=by, cancelled_at=at),
    )
    await session.commit()
    return campaign


async def advance(session: AsyncSession, at: datetime) -> int:
    """Move every campaign whose time has come (the scheduler's tick); returns how many
    steps were taken. One transaction: the steps and their events commit together."""
    due = await session.scalars(
        select(Campaign).where(
            (Campaign.state == CampaignState.SCHEDULED) & (Campaign.starts_at <= at)
            | (Campaign.state == CampaignState.RUNNING) & (Campaign.ends_at <= at)
        )
    )
    steps = 0
    for campaign in due:
        for target in lifecycle.path(campaign.state, campaign.starts_at, campaign.ends_at, at):
            if not await _moved(session, campaign, target):
                break  # cancelled meanwhile: nothing more to do for it
            steps += 1
            await outbox.add(
                session,
                CampaignStarted(campaign_id=campaign.id, started_at=at)
                if target == CampaignState.RUNNING
                else CampaignEnded(campaign_id=campaign.id, ended_at=at),
            )
    await session.commit()
    return steps


def _check(current: CampaignState, target: CampaignState) -> None:
    try:
        lifecycle.check(current, target)
    except IllegalTransition as error:
        raise Conflict(str(error)) from None


async def _move(session: AsyncSession, campaign: Campaign, target: CampaignState, **values):
    if not await _moved(session, campaign, target, **values):
        raise Conflict(f"Campaign {campaign.id} changed meanwhile; read it again.")


async def _moved(session: AsyncSession, campaign: Campaign, target: CampaignState, **values):
    """One statement that checks the state it leaves; False if another change came first."""
    result = await session.execute(
        update(Campaign)
        .where(Campaign.id == campaign.id, Campaign.state == campaign.state)
        .values(state=target, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    # What the statement wrote, without a second UPDATE at the next flush.
    for name, value in {"state": target, **values}.items():
        set_committed_value(campaign, name, value)
    return True


def _plan_of(campaign: Campaign) -> conflicts.Plan:
    return conflicts.Plan(
        id=campaign.id,
        name=campaign.name,
        starts_at=campaign.starts_at,
        ends_at=campaign.ends_at,
        sku_ids=frozenset(campaign.sku_ids),
        segments=frozenset(campaign.segments),
    )


def _conflict_json(found: conflicts.Conflict) -> dict:
    return {
        "campaign_id": str(found.campaign_id),
        "name": found.name,
        "sku_ids": sorted(map(str, found.sku_ids)),
        "segments": sorted(found.segments),
    }
