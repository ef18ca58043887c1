"""Scheduled listing over real HTTP: the service's scheduler delists and lists a product on
time and publishes the listing events; bad times and moves are 4xx naming why."""

from datetime import timedelta

from chassis.clock import now
from chassis.ids import new_id
from chassis.testing import eventually

PRODUCTS = "/api/v1/catalog/products"


async def _listed(platform, operators) -> str:
    submitter, reviewer = operators
    async with platform.client("catalog", submitter) as catalog:
        body = {"name": f"Tea {new_id().hex[-6:]}", "price": {"amount": 1200, "currency": "CNY"}}
        pid = (await catalog.post(PRODUCTS, json=body)).json()["id"]
        await catalog.post(f"{PRODUCTS}/{pid}/submit")
    async with platform.client("catalog", reviewer) as catalog:
        assert (await catalog.post(f"{PRODUCTS}/{pid}/approve")).status_code == 200
    return pid


async def test_a_product_is_delisted_and_listed_again_on_time(platform, operators, operator_token):
    pid = await _listed(platform, operators)
    off, back = now() + timedelta(seconds=1), now() + timedelta(seconds=2.5)
    async with (
        platform.client("catalog", operators[0]) as catalog,
        platform.client("catalog") as storefront,
    ):
        delist = await catalog.post(
            f"{PRODUCTS}/{pid}/schedules",
            json={"move": "delist", "at": off.isoformat(), "note": "夜间下架"},
        )
        relist = await catalog.post(
            f"{PRODUCTS}/{pid}/schedules", json={"move": "list", "at": back.isoformat()}
        )
        assert (delist.status_code, relist.status_code) == (201, 201), delist.text

        async def state_is(state):
            response = await catalog.get(f"{PRODUCTS}/{pid}")
            return response.json() if response.json()["state"] == state else None

        await eventually(lambda: state_is("delisted"))
        seen_off = now()
        hidden = await storefront.get(f"{PRODUCTS}/{pid}")
        await eventually(lambda: state_is("listed"))
        seen_back = now()
        schedules = (await catalog.get(f"{PRODUCTS}/{pid}/schedules")).json()["items"]
    assert delist.json()["state"] == "pending"
    assert seen_off >= off
    assert seen_back >= back
    assert hidden.status_code == 404
    assert [(s["move"], s["state"]) for s in schedules] == [("list", "done"), ("delist", "done")]
    assert schedules[1]["note"] == "夜间下架"

    async def published(type_, n):
        async with platform.client("analytics", operator_token) as analytics:
            response = await analytics.get(
                "/api/v1/analytics/events", params={"type": type_, "subject": pid}
            )
        items = response.json()["items"]
        return items if len(items) >= n else None

    (delisted,) = await eventually(lambda: published("flywheel.catalog.product.delisted.v1", 1))
    listed = await eventually(lambda: published("flywheel.catalog.product.listed.v1", 2))
    assert delisted["data"]["product_id"] == pid
    assert sorted(e["data"]["approved_by"] is None for e in listed) == [False, True]


async def test_bad_times_and_moves_are_refused_and_a_schedule_is_cancelled(platform, operators):
    pid = await _listed(platform, operators)
    later = (now() + timedelta(hours=1)).isoformat()
    async with platform.client("catalog", operators[0]) as catalog:
        past = await catalog.post(
            f"{PRODUCTS}/{pid}/schedules",
            json={"move": "delist", "at": (now() - timedelta(minutes=1)).isoformat()},
        )
        naive = await catalog.post(
            f"{PRODUCTS}/{pid}/schedules", json={"move": "delist", "at": "2030-01-01T08:00:00"}
        )
        unknown_move = await catalog.post(
            f"{PRODUCTS}/{pid}/schedules", json={"move": "archive", "at": later}
        )
        already_listed = await catalog.post(
            f"{PRODUCTS}/{pid}/schedules", json={"move": "list", "at": later}
        )
        unknown = await catalog.post(
            f"{PRODUCTS}/{new_id()}/schedules", json={"move": "delist", "at": later}
        )
        planned = await catalog.post(
            f"{PRODUCTS}/{pid}/schedules", json={"move": "delist", "at": later}
        )
        twice = await catalog.post(
            f"{PRODUCTS}/{pid}/schedules", json={"move": "delist", "at": later}
        )
        sid = planned.json()["id"]
        cancelled = await catalog.post(f"{PRODUCTS}/{pid}/schedules/{sid}/cancel")
        again = await catalog.post(f"{PRODUCTS}/{pid}/schedules/{sid}/cancel")
        not_its = await catalog.post(f"{PRODUCTS}/{new_id()}/schedules/{sid}/cancel")
    _, customer = await platform.customer()
    async with platform.client("catalog", customer) as catalog:
        forbidden = await catalog.post(
            f"{PRODUCTS}/{pid}/schedules", json={"move": "delist", "at": later}
        )
        listing = await catalog.get(f"{PRODUCTS}/{pid}/schedules")
    for response, field in ((past, "body.at"), (naive, "body.at"), (unknown_move, "body.move")):
        assert response.status_code == 422, response.text
        assert [e["field"] for e in response.json()["errors"]] == [field]
    assert already_listed.status_code == 409
    assert already_listed.json()["type"].endswith("illegal-transition")
    assert unknown.status_code == 404
    assert (planned.status_code, twice.status_code) == (201, 409)
    assert cancelled.json()["state"] == "cancelled"
    assert cancelled.json()["cancelled_by"] is not None
    assert (again.status_code, not_its.status_code) == (409, 404)
    assert (forbidden.status_code, listing.status_code) == (403, 403)
