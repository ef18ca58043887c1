"""Campaign spend over HTTP, from the broker: a campaign an operator schedules in the campaigns
service is listed with the latest running spend that campaigns publishes for it (by
`changed_at`, not the last one stored), a redelivered change stored once, and its ROI."""

from datetime import timedelta

from chassis.clock import now
from chassis.testing import eventually
from tests.analytics.campaign_list import listed, scheduled
from tests.analytics.events import spend_changed
from tests.publishing import publish


async def test_the_spend_campaigns_publishes_is_listed_with_its_roi(platform, operator_token):
    today = now()
    campaign = await scheduled(platform, operator_token, today)
    earlier = today - timedelta(minutes=30)
    latest = spend_changed(campaign, 1_200, earlier + timedelta(minutes=5), budget=50_000)
    await publish(
        platform,
        spend_changed(campaign, 400, earlier, budget=50_000),
        latest,
        latest,  # redelivered
        # Published last but changed before the latest (a replay): not the spend.
        spend_changed(campaign, 900, earlier + timedelta(minutes=1), budget=50_000),
    )
    async with platform.client("analytics", operator_token) as api:

        async def stored():
            answer = await api.get(
                "/api/v1/analytics/events", params={"type": latest.type, "subject": campaign}
            )
            assert answer.status_code == 200, answer.text
            return len(answer.json()["items"]) == 3 or None  # the copy stored once

        await eventually(stored, within=60)
        [listing] = await listed(api, campaign, today)
    assert listing["spent"] == {"amount": 1_200, "currency": "CNY"}
    assert listing["roi"] == 0.0  # nothing sold yet: nothing back for the spend
