"""The campaigns list over HTTP: a campaign an operator schedules in the campaigns service
reaches analytics through the broker and is listed with its state; operators only; a range
beyond the plan is 422 naming the field."""

from datetime import timedelta

import pytest

from chassis.clock import now
from chassis.ids import new_id
from chassis.testing import eventually

CAMPAIGNS = "/api/v1/analytics/campaigns"
RANGE = {"from": "2026-11-01T00:00:00Z", "to": "2026-12-01T00:00:00Z"}


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


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        (RANGE | {"to": "2027-12-01T00:00:00Z"}, "query.to", "at most 370 days"),
        (RANGE | {"to": RANGE["from"]}, "query.to", "after"),
        (RANGE | {"limit": 0}, "query.limit", "greater than or equal to 1"),
        ({"from": RANGE["from"]}, "query.to", "required"),
    ],
)
async def test_a_bad_query_is_422_naming_the_field(platform, operator_token, params, field, words):
    async with platform.client("analytics", operator_token) as api:
        response = await api.get(CAMPAIGNS, params=params)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["field"] == field
    assert words in error["message"]


async def test_only_operators_list_campaigns(platform):
    _, customer = await platform.customer()
    async with platform.client("analytics", customer) as api:
        assert (await api.get(CAMPAIGNS, params=RANGE)).status_code == 403
    async with platform.client("analytics") as api:
        assert (await api.get(CAMPAIGNS, params=RANGE)).status_code == 401
