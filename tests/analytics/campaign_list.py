"""A campaign scheduled in the campaigns service, and the analytics campaigns list read to its
end, for the tests of what analytics lists of campaigns."""

from datetime import datetime, timedelta

from chassis.ids import new_id

CAMPAIGNS = "/api/v1/analytics/campaigns"


async def scheduled(platform, operator_token, today: datetime, name: str | None = None) -> str:
    """The id of a brand day with a budget of ¥500, started an hour ago and scheduled by an
    operator: the calendar's scheduler starts it on its next tick."""
    async with platform.client("campaigns", operator_token) as api:
        planned = await api.post(
            "/api/v1/campaigns/campaigns",
            json={
                "name": name or f"Planned {new_id().hex[-8:]}",
                "kind": "brand_day",
                "starts_at": (today - timedelta(hours=1)).isoformat(),
                "ends_at": (today + timedelta(days=2)).isoformat(),
                "budget": {"amount": 50_000, "currency": "CNY"},
            },
        )
        assert planned.status_code == 201, planned.text
        campaign = planned.json()["id"]
        started = await api.post(f"/api/v1/campaigns/campaigns/{campaign}/schedule", json={})
        assert started.status_code == 200, started.text
    return campaign


async def listed(api, campaign: str, today: datetime) -> list[dict]:
    """Every listing of `campaign` over the day before and after `today`, from every page: the
    platform's other tests plan campaigns of their own."""
    params = {
        "from": (today - timedelta(days=1)).isoformat(),
        "to": (today + timedelta(days=1)).isoformat(),
        "limit": 100,
    }
    cursor, mine = None, []
    while True:
        answer = await api.get(CAMPAIGNS, params=params | {"cursor": cursor or ""})
        assert answer.status_code == 200, answer.text
        mine += [c for c in answer.json()["items"] if c["id"] == campaign]
        if not (cursor := answer.json()["next_cursor"]):
            return mine
