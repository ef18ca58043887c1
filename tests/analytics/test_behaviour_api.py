"""The first behaviour API over real HTTP, and the event store listing what it recorded."""

import pytest

from chassis.testing import eventually

RECORDED = "flywheel.analytics.behaviour.recorded.v1"


async def stored(platform, operator_token, **params) -> list[dict]:
    async with platform.client("analytics", operator_token) as analytics:
        response = await analytics.get("/api/v1/analytics/events", params=params)
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def test_signed_in_behaviour_is_recorded_under_the_user(platform, operator_token):
    user_id, token = await platform.customer()
    async with platform.client("analytics", token) as analytics:
        response = await analytics.post(
            "/api/v1/analytics/behaviour",
            json={"events": [{"action": "search", "target": "oolong"}, {"action": "view"}]},
        )
    assert response.status_code == 202
    assert response.json() == {"accepted": 2}
    events = await eventually(
        lambda: stored(platform, operator_token, type=RECORDED, subject=user_id)
    )
    assert {e["data"]["action"] for e in events} >= {"search"}
    assert all(e["data"]["user_id"] == user_id for e in events)


async def test_anonymous_behaviour_needs_an_anonymous_id(platform):
    async with platform.client("analytics") as analytics:
        missing = await analytics.post(
            "/api/v1/analytics/behaviour",
            json={
                "events": [{"action": "view", "anonymous_id": "device-12345"}, {"action": "view"}]
            },
        )
        fine = await analytics.post(
            "/api/v1/analytics/behaviour",
            json={"events": [{"action": "view", "anonymous_id": "device-12345"}]},
        )
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "body.events.1.anonymous_id"
    assert fine.status_code == 202


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"events": []}, "body.events"),
        (
            {"events": [{"action": "teleport", "anonymous_id": "device-1234"}]},
            "body.events.0.action",
        ),
        (
            {
                "events": [
                    {
                        "action": "view",
                        "anonymous_id": "d-123456",
                        "occurred_at": "2026-01-01T00:00:00",
                    }
                ]
            },
            "body.events.0.occurred_at",
        ),
        *(  # outside what the event store keeps: never accepted, then dead-lettered
            (
                {
                    "events": [
                        {"action": "view", "anonymous_id": "d-123456", "occurred_at": moment},
                        {"action": "view", "anonymous_id": "d-123456"},
                    ]
                },
                "body.events.0.occurred_at",
            )
            for moment in ("0213-03-14T12:23:28Z", "2999-01-01T00:00:00Z")
        ),
        (
            {
                "events": [
                    {"action": "view", "anonymous_id": "d-123456"},
                    {
                        "action": "view",
                        "anonymous_id": "d-123456",
                        "properties": {"note": "x" * 20_000},
                    },
                ]
            },
            "body.events.1.properties",
        ),
    ],
)
async def test_bad_behaviour_is_422_naming_the_field(platform, body, field):
    async with platform.client("analytics") as analytics:
        response = await analytics.post("/api/v1/analytics/behaviour", json=body)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]


async def test_a_bad_token_is_refused_even_where_anonymous_is_allowed(platform):
    async with platform.client("analytics", "not-a-token") as analytics:
        response = await analytics.post(
            "/api/v1/analytics/behaviour",
            json={"events": [{"action": "view", "anonymous_id": "device-12345"}]},
        )
    assert response.status_code == 401


async def test_only_staff_read_the_event_store(platform):
    _, token = await platform.customer()
    async with platform.client("analytics", token) as analytics:
        assert (await analytics.get("/api/v1/analytics/events")).status_code == 403
    async with platform.client("analytics") as analytics:
        assert (await analytics.get("/api/v1/analytics/events")).status_code == 401


async def test_the_event_store_pages_newest_first(platform, operator_token):
    user_id, token = await platform.customer()
    async with platform.client("analytics", token) as analytics:
        await analytics.post(
            "/api/v1/analytics/behaviour",
            json={"events": [{"action": "view", "target": f"p{n}"} for n in range(5)]},
        )

    async def five():
        events = await stored(platform, operator_token, subject=user_id, type=RECORDED)
        return len(events) == 5

    await eventually(five)
    seen, params = [], {"subject": user_id, "type": RECORDED, "limit": 2}
    async with platform.client("analytics", operator_token) as analytics:
        while True:
            page = (await analytics.get("/api/v1/analytics/events", params=params)).json()
            seen += page["items"]
            if not page["next_cursor"]:
                break
            params["cursor"] = page["next_cursor"]
    assert len(seen) == 5
    assert len({e["id"] for e in seen}) == 5
    times = [e["time"] for e in seen]
    assert times == sorted(times, reverse=True)
