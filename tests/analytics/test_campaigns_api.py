"""The campaigns list over HTTP: a campaign an operator schedules in the campaigns service
reaches analytics through the broker and is listed with its state (its query checks, with the
other routes', are in test_range_checks_api.py)."""

from datetime import timedelta

from chassis.clock import now
from chassis.ids import new_id
from chassis.testing import eventually

CAMPAIGNS = "/api/v1/analytics/campaigns"


async def test_a_scheduled_campaign_is_listed_as_it_runs(platform, operator_token):
    today = now()
    name = f"Listed {new_id().hex[-8:]}"
    async with platform.client("campaigns", operator_token) as api:
        planned = await api.post(
            "/api/v1/campaigns/campaigns",
            json={
                "name": name,
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
    params = {
        "from": (today - timedelta(days=1)).isoformat(),
        "to": (today + timedelta(days=1)).isoformat(),
        "limit": 100,
    }
    async with platform.client("analytics", operator_token) as api:

        async def running():
            # Every page: the platform's other tests plan campaigns of their own.
            cursor, mine = None, []
            while True:
                answer = await api.get(CAMPAIGNS, params=params | {"cursor": cursor or ""})
                assert answer.status_code == 200, answer.text
                mine += [c for c in answer.json()["items"] if c["id"] == campaign]
                if not (cursor := answer.json()["next_cursor"]):
                    break
            return mine if mine and mine[0]["state"] == "running" else None

        # The calendar's scheduler starts it on its next tick (its start has passed).
        [listed] = await eventually(running, within=60)
    assert (listed["name"], listed["kind"]) == (name, "brand_day")
    assert listed["budget"] == {"amount": 50_000, "currency": "CNY"}
    assert (listed["sales"], listed["claims"]) == ([], 0)
