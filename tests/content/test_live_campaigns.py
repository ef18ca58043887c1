"""Live sessions linked to live-commerce campaigns, through the broker: content learns the
campaigns from the campaigns service's calendar events; a live session links only a known
live-commerce campaign that has not ended nor been cancelled; the live feed shows each
linked campaign's state as it moves (never back), and live.started carries the campaign."""

from datetime import timedelta

import publishing
import pytest
from content_drafts import POSTS, live_session, published
from observe import event_about
from sqlalchemy import select

from chassis import migrations
from chassis.clock import now
from chassis.db import Database
from chassis.ids import new_id
from chassis.testing import eventually
from contracts.campaigns import (
    CampaignCancelled,
    CampaignEnded,
    CampaignScheduled,
    CampaignStarted,
)
from services.content.app import SCHEMA
from services.content.posts.consumers import (
    on_campaign_cancelled,
    on_campaign_ended,
    on_campaign_scheduled,
    on_campaign_started,
)
from services.content.posts.models import LinkedCampaign

pytestmark = pytest.mark.asyncio
LIVE = "/api/v1/content/feeds/live"


async def _announce(platform, data) -> None:
    await publishing.publish_as(platform, "/flywheel/campaigns", data)


def _scheduled(kind: str = "live_commerce", **changes) -> CampaignScheduled:
    return CampaignScheduled(
        campaign_id=changes.pop("campaign_id", new_id()),
        name="龙井直播节",
        kind=kind,
        starts_at=now(),
        ends_at=now() + timedelta(days=2),
        scheduled_by=new_id(),
        **changes,
    )


async def _known(staff, campaign_id) -> dict:
    """A live session linking the campaign, once content has the campaign (a draft: 201)."""

    async def created() -> dict | None:
        response = await staff.post(POSTS, json=live_session(campaign_id=str(campaign_id)))
        return response.json() if response.status_code == 201 else None

    return await eventually(created, within=30, interval=0.3)


async def _campaign_in_feed(shop, campaign_id) -> dict | None:
    campaigns = (await shop.get(LIVE)).json()["campaigns"]
    return next((c for c in campaigns if c["campaign_id"] == str(campaign_id)), None)


async def test_a_live_session_links_a_known_live_commerce_campaign_shown_as_it_moves(
    platform, operator
):
    campaign = _scheduled()
    await _announce(platform, campaign)
    async with platform.client("content", operator) as staff, platform.client("content") as shop:
        await _known(staff, campaign.campaign_id)
        post = await published(staff, staff, live_session(campaign_id=str(campaign.campaign_id)))
        assert post["campaign_id"] == str(campaign.campaign_id)

        async def in_state(state: str):
            async def check():
                shown = await _campaign_in_feed(shop, campaign.campaign_id)
                return shown if shown and shown["state"] == state else None

            return await eventually(check, within=30, interval=0.3)

        shown = await in_state("scheduled")
        assert shown["name"] == "龙井直播节"
        upcoming = (await shop.get(LIVE)).json()["upcoming"]
        assert post["id"] in [p["id"] for p in upcoming]

        await _announce(
            platform, CampaignStarted(campaign_id=campaign.campaign_id, started_at=now())
        )
        await in_state("running")
        renamed = campaign.model_copy(update={"name": "renamed"})
        await _announce(platform, renamed)  # late and again: once per campaign
        await _announce(platform, CampaignEnded(campaign_id=campaign.campaign_id, ended_at=now()))
        assert (await in_state("ended"))["name"] == "龙井直播节"

        await staff.post(f"{POSTS}/{post['id']}/live/start")
    started = await event_about(
        platform.broker.bootstrap_servers,
        "flywheel.content.live",
        "flywheel.content.live.started.v1",
        post["id"],
    )
    assert started["data"]["campaign_id"] == str(campaign.campaign_id)


async def test_a_live_session_refuses_unknown_ended_cancelled_or_other_campaigns(
    platform, operator
):
    ended, cancelled, flash = _scheduled(), _scheduled(), _scheduled(kind="flash_sale")
    for campaign in (ended, cancelled, flash):
        await _announce(platform, campaign)
    await _announce(platform, CampaignEnded(campaign_id=ended.campaign_id, ended_at=now()))
    await _announce(
        platform,
        CampaignCancelled(
            campaign_id=cancelled.campaign_id,
            reason="budget",
            cancelled_by=new_id(),
            cancelled_at=now(),
        ),
    )
    states = {ended.campaign_id: "ended", cancelled.campaign_id: "cancelled"}
    await _in_read_model(platform, states | {flash.campaign_id: "scheduled"})
    async with platform.client("content", operator) as staff:

        async def refusal(campaign_id, expected: str) -> dict:
            response = await staff.post(POSTS, json=live_session(campaign_id=str(campaign_id)))
            assert response.status_code == 422, response.text
            assert expected in response.text
            return response.json()

        unknown = await refusal(new_id(), "not a known campaign")
        assert "body.campaign_id" in str(unknown)
        await refusal(ended.campaign_id, "the campaign has ended")
        await refusal(cancelled.campaign_id, "the campaign was cancelled")
        await refusal(flash.campaign_id, "not live commerce")


async def _in_read_model(platform, states: dict) -> None:
    """Wait until content's own read model holds each campaign in its state (read straight
    from its database, not by the text of a refusal)."""
    db = Database(platform.database_url("content"), service="content")

    async def held() -> bool:
        async with db.engine.connect() as conn:
            rows = await conn.execute(
                select(LinkedCampaign.campaign_id, LinkedCampaign.state).where(
                    LinkedCampaign.campaign_id.in_(list(states))
                )
            )
            return {row.campaign_id: row.state for row in rows} == states

    try:
        await eventually(held, within=30, interval=0.3)
    finally:
        await db.dispose()


async def test_a_campaign_only_moves_forward_whatever_order_its_events_come_in(database_url):
    """The consumers, on a database of their own: a late or repeated event never moves a
    campaign back (ended stays ended, cancelled stays cancelled)."""
    db = Database(database_url("content"), service="content")
    await db.create_database_if_missing()
    await migrations.upgrade(db, SCHEMA)
    campaign = _scheduled()
    started = CampaignStarted(campaign_id=campaign.campaign_id, started_at=now())
    ended = CampaignEnded(campaign_id=campaign.campaign_id, ended_at=now())
    cancelled = CampaignCancelled(
        campaign_id=campaign.campaign_id, reason="late", cancelled_by=new_id(), cancelled_at=now()
    )
    handlers = {
        CampaignScheduled: on_campaign_scheduled,
        CampaignStarted: on_campaign_started,
        CampaignEnded: on_campaign_ended,
        CampaignCancelled: on_campaign_cancelled,
    }
    steps = [  # (event, the state after it)
        (started, None),  # before the campaign is known: nothing to move
        (campaign, "scheduled"),
        (started, "running"),
        (campaign, "running"),
        (started, "running"),
        (ended, "ended"),
        (started, "ended"),
        (cancelled, "ended"),
        (campaign, "ended"),
    ]
    try:
        for event, state in steps:
            async with db.session() as session:
                await handlers[type(event)](event, session)
                await session.commit()
            async with db.session() as session:
                row = await session.get(LinkedCampaign, campaign.campaign_id)
                assert (row.state if row else None) == state, (event, state)
        other = _scheduled()
        for event in (other, CampaignCancelled(**(cancelled.model_dump() | {
                "campaign_id": other.campaign_id})),
                CampaignStarted(campaign_id=other.campaign_id, started_at=now())):  # fmt: skip
            async with db.session() as session:
                await handlers[type(event)](event, session)
                await session.commit()
        async with db.session() as session:
            assert (await session.get(LinkedCampaign, other.campaign_id)).state == "cancelled"
    finally:
        await db.dispose()
