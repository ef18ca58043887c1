"""The campaigns list over HTTP: a campaign an operator schedules in the campaigns service
reaches analytics through the broker and is listed with its state (its query checks, with the
other routes', are in test_range_checks_api.py)."""

from chassis.clock import now
from chassis.ids import new_id
from chassis.testing import eventually
from tests.analytics.campaign_list import listed, scheduled


async def test_a_scheduled_campaign_is_listed_as_it_runs(platform, operator_token):
    today = now()
    name = f"Listed {new_id().hex[-8:]}"
    campaign = await scheduled(platform, operator_token, today, name)
    async with platform.client("analytics", operator_token) as api:

        async def running():
            mine = await listed(api, campaign, today)
            return mine if mine and mine[0]["state"] == "running" else None

        # The calendar's scheduler starts it on its next tick (its start has passed).
        [listing] = await eventually(running, within=60)
    assert (listing["name"], listing["kind"]) == (name, "brand_day")
    assert listing["budget"] == {"amount": 50_000, "currency": "CNY"}
    assert (listing["sales"], listing["claims"]) == ([], 0)
