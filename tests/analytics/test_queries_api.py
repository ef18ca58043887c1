"""The metrics, funnel and cohort routes over real HTTP: operators only, bad queries 422 with
the limit, a store that is down 503 fast while collection goes on."""

import time
from datetime import UTC, datetime, timedelta

import pytest

from chassis.clock import now
from chassis.ids import new_id
from contracts.analytics import Action
from services.analytics.store.service import record
from tests.analytics.events import behaviour, paid
from tests.analytics.serving import analytics, client

MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


FUNNEL = {
    "step": ["page_view", "add_to_cart"],
    "window": 600,
    "from": "2026-11-01T00:00:00Z",
    "to": "2026-11-03T00:00:00Z",
}
SALES = {"from": "2026-11-01T00:00:00Z", "to": "2026-11-03T00:00:00Z", "interval": "day"}
COHORTS = {"from": "2026-11-02", "to": "2026-11-09", "weeks": 4}
GMV = {"from": "2026-11-01", "to": "2026-11-03", "interval": "day"}


async def test_operators_read_sales_funnels_and_cohorts(platform, operator_token, tmp_path):
    buyer = new_id()
    async with analytics(platform, tmp_path) as (store, url):
        await record(
            store,
            [
                behaviour(Action.PAGE_VIEW, MONDAY, user_id=buyer),
                behaviour(Action.ADD_TO_CART, MONDAY + timedelta(minutes=2), user_id=buyer),
                behaviour(Action.PAGE_VIEW, MONDAY, anonymous_id="anon-0000001"),
                paid(buyer, MONDAY, 4200),
            ],
        )
        async with client(url, operator_token) as api:
            sales = await api.get("/api/v1/analytics/metrics/sales", params=SALES)
            by_channel = await api.get(
                "/api/v1/analytics/metrics/sales", params=SALES | {"by": "channel"}
            )
            funnel = await api.get("/api/v1/analytics/funnels", params=FUNNEL)
            cohorts = await api.get("/api/v1/analytics/cohorts", params=COHORTS)
            gmv = await api.get("/api/v1/analytics/metrics/gmv", params=GMV)
    assert sales.status_code == 200, sales.text
    [point] = sales.json()["points"]
    assert point["period"] == "2026-11-02"
    assert point["gmv"] == {"amount": 4200, "currency": "CNY"}
    assert (point["orders"], point["paying_users"]) == (1, 1)
    assert (point["repeat_buyers"], point["repurchase_rate"], point["group"]) == (0, 0.0, None)
    assert by_channel.status_code == 200, by_channel.text
    assert by_channel.json()["by"] == "channel"
    assert [(p["group"], p["gmv"]["amount"]) for p in by_channel.json()["points"]] == [
        ("direct", 4200)
    ]
    assert gmv.status_code == 200, gmv.text
    assert gmv.json()["points"] == [
        {
            "period": "2026-11-02",
            "gmv": {"amount": 4200, "currency": "CNY"},
            "orders": 1,
            "average_order_value": {"amount": 4200, "currency": "CNY"},
            "refunded": {"amount": 0, "currency": "CNY"},
            "refund_rate": 0.0,
        }
    ]
    assert funnel.status_code == 200, funnel.text
    assert [(s["name"], s["people"]) for s in funnel.json()["steps"]] == [
        ("page_view", 2),
        ("add_to_cart", 1),
    ]
    assert funnel.json()["steps"][1]["conversion_from_previous"] == 0.5
    assert cohorts.status_code == 200, cohorts.text
    [cohort] = cohorts.json()["cohorts"]
    assert (cohort["week"], cohort["buyers"], cohort["retained"]) == (
        "2026-11-02",
        1,
        [1, 0, 0, 0, 0],
    )


@pytest.mark.parametrize(
    ("path", "params", "field", "words"),
    [
        ("/funnels", FUNNEL | {"step": ["page_view"]}, "query.step", "2 to 20 steps"),
        ("/funnels", FUNNEL | {"step": ["page_view"] * 21}, "query.step", "2 to 20 steps"),
        ("/funnels", FUNNEL | {"window": 0}, "query.window", "more than 0 s"),
        ("/funnels", FUNNEL | {"step": ["page_view", "teleport"]}, "query.step.1", "behaviour"),
        ("/funnels", FUNNEL | {"to": "2027-03-01T00:00:00Z"}, "query.to", "at most 92 days"),
        ("/metrics/sales", SALES | {"to": "2027-12-01T00:00:00Z"}, "query.to", "at most 370 days"),
        ("/metrics/sales", SALES | {"to": SALES["from"]}, "query.to", "after"),
        ("/metrics/sales", SALES | {"by": "colour"}, "query.by", "'channel', 'category'"),
        (
            "/metrics/sales",
            SALES | {"by": "campaign", "to": "2027-12-01T00:00:00Z"},
            "query.to",
            "at most 370 days",
        ),
        ("/cohorts", COHORTS | {"to": "2028-01-01"}, "query.to", "at most 371 days"),
        ("/metrics/gmv", GMV | {"to": "2027-12-01"}, "query.to", "at most 370 days"),
        ("/metrics/gmv", GMV | {"interval": "month", "to": "2036-12-01"}, "query.to", "3660"),
        ("/metrics/gmv", GMV | {"interval": "hour"}, "query.interval", "'day'"),
        (
            "/metrics/gmv",
            {"from": "1969-12-01", "to": "1970-01-02"},
            "query.from",
            "1970-01-01 or later",
        ),
        (
            "/metrics/gmv",
            {"from": "2149-06-01", "to": "2149-07-01"},
            "query.to",
            "2149-06-06 or earlier",
        ),
        ("/cohorts", COHORTS | {"weeks": 0}, "query.weeks", "from 1 to 26"),
    ],
)
async def test_a_query_beyond_the_plan_is_422_with_the_limit(
    platform, operator_token, path, params, field, words
):
    async with platform.client("analytics", operator_token) as api:
        response = await api.get(f"/api/v1/analytics{path}", params=params)
    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    assert error["field"] == field
    assert words in error["message"]


@pytest.mark.parametrize("path", ["/metrics/sales", "/metrics/gmv", "/funnels", "/cohorts"])
async def test_only_operators_read_metrics(platform, path):
    params = {
        "/metrics/sales": SALES,
        "/metrics/gmv": GMV,
        "/funnels": FUNNEL,
        "/cohorts": COHORTS,
    }[path]
    _, customer = await platform.customer()
    async with platform.client("analytics", customer) as api:
        assert (await api.get(f"/api/v1/analytics{path}", params=params)).status_code == 403
    async with platform.client("analytics") as api:
        assert (await api.get(f"/api/v1/analytics{path}", params=params)).status_code == 401


async def test_a_store_that_is_down_answers_503_fast_and_collection_goes_on(
    platform, operator_token, tmp_path
):
    down_store = analytics(platform, tmp_path, clickhouse_url="http://127.0.0.1:1")
    async with down_store as (_, url), client(url, operator_token) as api:
        started = time.monotonic()
        down = await api.get("/api/v1/analytics/metrics/sales", params=SALES)
        listing = await api.get("/api/v1/analytics/events")
        elapsed = time.monotonic() - started
        collected = await api.post(
            "/api/v1/analytics/collect",
            json={
                "anonymous_id": "anon-0000001",
                "events": [
                    {
                        "client_event_id": "c-1",
                        "name": "click",
                        "client_time": now().isoformat(),
                    }
                ],
            },
        )
    assert (down.status_code, listing.status_code) == (503, 503)
    assert down.headers["content-type"] == "application/problem+json"
    assert elapsed < 10  # two connect timeouts of a second, with room for a loaded machine
    assert collected.status_code == 202
    assert len(collected.json()["accepted"]) == 1
