"""Campaign spend over HTTP, from the broker: a campaign an operator schedules in the campaigns
service is listed with the latest running spend that campaigns publishes for it (by
`changed_at`, not the last one stored), a redelivered change stored once, and its ROI."""

from datetime import timedelta

from chassis.clock import now
from chassis.ids import new_id
from chassis.testing import eventually
from tests.analytics.events import spend_changed
from tests.publishing import publish

CAMPAIGNS = "/api/v1/analytics/campaigns"


async def test_the_spend_campaigns_publishes_is_listed_with_its_roi(platform, operator_token):
    today = now()
    async with platform.client("campaigns", operator_token) as api:
        planned = await api.post(
            "/api/v1/campaigns/campaigns",
            json={
                "name": f"Spent {new_id().hex[-8:]}",
                "kind": "brand_day",
                "starts_at": (today - timedelta(hours=1)).isoformat(),
                "ends_at": (today + timedelta(days=2)).isoformat(),
                "budget": {"amount": 50_000, "currency": "CNY"},
            },
        )
        assert planned.status_code == 201, planned.text
        campaign = planned.json()["id"]
        scheduled = await api.post(f"/api/v1/campaigns/campaigns/{campaign}/schedule", json={})
        assert scheduled.status_code == 200, scheduled.text
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
    params = {
        "from": (today - timedelta(days=1)).isoformat(),
        "to": (today + timedelta(days=1)).isoformat(),
        "limit": 100,
    }
    async with platform.client("analytics", operator_token) as api:

        async def stored():
            answer = await api.get(
                "/api/v1/analytics/events", params={"type": latest.type, "subject": campaign}
            )
            assert answer.status_code == 200, answer.text
            return len(answer.json()["items"]) == 3 or None  # the copy stored once

        await eventually(stored, within=60)
        # Every page: the platform's other tests plan campaigns of their own.
        cursor, mine = None, []
        while True:
            answer = await api.get(CAMPAIGNS, params=params | {"cursor": cursor or ""})
            assert answer.status_code == 200, answer.text
            mine += [c for c in answer.json()["items"] if c["id"] == campaign]
            if not (cursor := answer.json()["next_cursor"]):
                break
    [listed] = mine
    assert listed["spent"] == {"amount": 1_200, "currency": "CNY"}
    assert listed["roi"] == 0.0  # nothing sold yet: nothing back for the spend
