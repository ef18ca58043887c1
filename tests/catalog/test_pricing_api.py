"""Pricing over real HTTP: operators set prices within the margin guard, only admins override
it (audited), history, and a scheduled change that starts and ends on time with its events
through the broker."""

from datetime import datetime, timedelta

import pytest

from chassis.clock import now
from chassis.ids import new_id
from chassis.money import MAX_AMOUNT
from chassis.testing import eventually

PRODUCTS = "/api/v1/catalog/products"
PRICING = "/api/v1/catalog/pricing"
PRICE_CHANGED = "flywheel.catalog.product.price_changed.v1"


def cny(amount: int) -> dict:
    return {"amount": amount, "currency": "CNY"}


@pytest.fixture(scope="module")
async def admin(platform) -> tuple[str, str]:
    """A user holding only the admin role: (id, token)."""
    return await platform.staff("admin")


async def _sku(catalog, *, price: int = 8900, cost: int | None = 4000) -> tuple[str, str]:
    """A new product with one SKU priced `price` at `cost`; (product id, SKU id)."""
    sku = {"code": f"P-{new_id().hex}", "price": cny(price)}
    if cost is not None:
        sku["cost"] = cny(cost)
    created = await catalog.post(PRODUCTS, json={"name": "保温杯", "skus": [sku]})
    assert created.status_code == 201, created.text
    product = created.json()
    return product["id"], product["skus"][0]["id"]


async def _published(platform, operator_token, subject: str, count: int) -> list[dict]:
    async def recorded():
        async with platform.client("analytics", operator_token) as analytics:
            response = await analytics.get(
                "/api/v1/analytics/events", params={"type": PRICE_CHANGED, "subject": subject}
            )
        items = response.json()["items"]
        return (
            sorted(items, key=lambda e: e["data"]["effective_at"]) if len(items) >= count else None
        )

    return await eventually(recorded, within=60)


async def test_an_operator_sets_list_and_sale_price_and_it_is_published(
    platform, operator, operator_token
):
    async with platform.client("catalog", operator) as catalog:
        product_id, sku_id = await _sku(catalog)
        changed = await catalog.put(
            f"{PRICING}/skus/{sku_id}",
            json={"list_price": cny(9900), "sale_price": cny(7900), "cost": cny(4200)},
        )
        product = await catalog.get(f"{PRODUCTS}/{product_id}")
        history = await catalog.get(f"{PRICING}/skus/{sku_id}/history")
    assert changed.status_code == 200, changed.text
    pricing = changed.json()
    assert (pricing["price"], pricing["list_price"], pricing["sale_price"]) == (
        cny(7900),
        cny(9900),
        cny(7900),
    )
    assert pricing["cost"] == cny(4200)
    assert pricing["floor"] == cny(4667)  # 4200 / 0.9, rounded up
    assert pricing["margin_bps"] == 4683  # (7900 - 4200) / 7900
    assert product.json()["price"] == cny(7900)
    assert product.json()["skus"][0]["list_price"] == cny(9900)
    rows = history.json()["items"]
    assert [(r["source"], r["old_amount"], r["amount"]) for r in rows] == [
        ("manual", 8900, 7900),
        ("created", None, 8900),
    ]
    (event,) = await _published(platform, operator_token, product_id, 1)
    assert event["data"]["sku_id"] == sku_id
    assert (event["data"]["old_price"], event["data"]["new_price"]) == (cny(8900), cny(7900))
    assert event["data"]["list_price"] == cny(9900)


async def test_a_price_below_cost_plus_margin_is_refused_naming_the_field(platform, operator):
    async with platform.client("catalog", operator) as catalog:
        _, sku_id = await _sku(catalog)  # cost 4000: the floor is 4445
        at_floor = await catalog.put(f"{PRICING}/skus/{sku_id}", json={"list_price": cny(4445)})
        below_list = await catalog.put(f"{PRICING}/skus/{sku_id}", json={"list_price": cny(4444)})
        below_sale = await catalog.put(
            f"{PRICING}/skus/{sku_id}", json={"list_price": cny(9900), "sale_price": cny(4444)}
        )
        # A raised cost lifts the floor of the price given with it.
        dearer = await catalog.put(
            f"{PRICING}/skus/{sku_id}", json={"list_price": cny(5000), "cost": cny(4600)}
        )
        after = await catalog.get(f"{PRICING}/skus/{sku_id}")
    assert at_floor.status_code == 200
    for refused, field in [
        (below_list, "body.list_price"),
        (below_sale, "body.sale_price"),
        (dearer, "body.list_price"),
    ]:
        assert refused.status_code == 422, refused.text
        assert refused.json()["type"].endswith("/margin-guard")
        assert [e["field"] for e in refused.json()["errors"]] == [field]
    assert (after.json()["price"], after.json()["cost"]) == (cny(4445), cny(4000))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"list_price": cny(9900), "sale_price": cny(9900)}, "body.sale_price"),
        ({"list_price": {"amount": 9900, "currency": "USD"}}, "body.list_price.currency"),
        ({"list_price": cny(-1)}, "body.list_price.amount"),
        ({"list_price": {"amount": 99.5, "currency": "CNY"}}, "body.list_price.amount"),
        ({"list_price": cny(9900), "cost": {"amount": 1, "currency": "EUR"}}, "body.cost.currency"),
        ({"price": cny(9900)}, "body.price"),
    ],
)
async def test_bad_prices_are_422_naming_the_field(platform, operator, body, field):
    async with platform.client("catalog", operator) as catalog:
        _, sku_id = await _sku(catalog)
        response = await catalog.put(f"{PRICING}/skus/{sku_id}", json=body)
    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in response.json()["errors"]]


async def test_only_an_admin_overrides_the_guard_and_the_override_is_audited(
    platform, operator, admin
):
    admin_id, admin_only = admin
    below = {"list_price": cny(3000), "reason": "清仓: 积压库存"}
    async with (
        platform.client("catalog", operator) as catalog,
        platform.client("catalog", admin_only) as as_admin,
    ):
        _, sku_id = await _sku(catalog)
        by_operator = await catalog.put(f"{PRICING}/skus/{sku_id}/override", json=below)
        reasonless = await as_admin.put(
            f"{PRICING}/skus/{sku_id}/override", json={"list_price": cny(3000)}
        )
        by_admin = await as_admin.put(f"{PRICING}/skus/{sku_id}/override", json=below)
        history = await catalog.get(f"{PRICING}/skus/{sku_id}/history")
        audit = await catalog.get(f"{PRICING}/overrides", params={"limit": 100})
    assert by_operator.status_code == 403
    assert reasonless.status_code == 422
    assert [e["field"] for e in reasonless.json()["errors"]] == ["body.reason"]
    assert by_admin.status_code == 200, by_admin.text
    assert by_admin.json()["price"] == cny(3000)
    assert by_admin.json()["margin_bps"] == -3334  # below its cost of 4000 (rounded down)
    latest = history.json()["items"][0]
    assert (latest["source"], latest["by"], latest["override_by"], latest["reason"]) == (
        "override",
        admin_id,
        admin_id,
        "清仓: 积压库存",
    )
    assert latest["id"] in [row["id"] for row in audit.json()["items"]]


async def test_customers_may_not_read_or_set_prices(platform):
    _, customer = await platform.customer()
    async with platform.client("catalog", customer) as catalog:
        read = await catalog.get(f"{PRICING}/skus/{new_id()}")
        written = await catalog.put(f"{PRICING}/skus/{new_id()}", json={"list_price": cny(1)})
        audit = await catalog.get(f"{PRICING}/overrides")
    assert [r.status_code for r in (read, written, audit)] == [403, 403, 403]


async def test_an_unknown_sku_is_404(platform, operator):
    async with platform.client("catalog", operator) as catalog:
        response = await catalog.put(f"{PRICING}/skus/{new_id()}", json={"list_price": cny(100)})
        history = await catalog.get(f"{PRICING}/skus/{new_id()}/history")
    assert (response.status_code, history.status_code) == (404, 404)


async def test_a_scheduled_price_starts_and_ends_on_time(platform, operator, operator_token):
    async with platform.client("catalog", operator) as catalog:
        product_id, sku_id = await _sku(catalog)
        starts, ends = now() + timedelta(seconds=2), now() + timedelta(seconds=4)
        created = await catalog.post(
            f"{PRICING}/skus/{sku_id}/schedules",
            json={
                "price": cny(6900),
                "starts_at": starts.isoformat(),
                "ends_at": ends.isoformat(),
                "note": "双十二",
            },
        )
        before = await catalog.get(f"{PRICING}/skus/{sku_id}")

        async def price_is(amount):
            response = await catalog.get(f"{PRICING}/skus/{sku_id}")
            return response.json() if response.json()["price"]["amount"] == amount else None

        during = await eventually(lambda: price_is(6900), within=10)
        seen_during = now()
        after = await eventually(lambda: price_is(8900), within=10)
        seen_after = now()
        schedule = await catalog.get(f"{PRICING}/skus/{sku_id}/history")
    assert created.status_code == 201, created.text
    assert created.json()["state"] == "pending"
    assert before.json()["price"] == cny(8900)
    assert [s["state"] for s in before.json()["scheduled"]] == ["pending"]
    assert seen_during >= starts
    assert during["scheduled"][0]["state"] == "active"
    assert seen_after >= ends
    assert after["scheduled"] == []
    sources = [r["source"] for r in schedule.json()["items"]]
    assert sources == ["schedule_ended", "schedule_started", "created"]

    started, ended = await _published(platform, operator_token, product_id, 2)
    assert (started["data"]["old_price"], started["data"]["new_price"]) == (cny(8900), cny(6900))
    assert (ended["data"]["old_price"], ended["data"]["new_price"]) == (cny(6900), cny(8900))
    # The time each took effect is the schedule's, not the scheduler's turn.
    assert _moment(started["data"]["effective_at"]) == _moment(created.json()["starts_at"])
    assert _moment(ended["data"]["effective_at"]) == _moment(created.json()["ends_at"])


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


async def test_a_schedule_below_the_guard_needs_an_admin(platform, operator, admin):
    admin_id, admin_only = admin
    starts = (now() + timedelta(hours=1)).isoformat()
    body = {"price": cny(3000), "starts_at": starts}
    async with (
        platform.client("catalog", operator) as catalog,
        platform.client("catalog", admin_only) as as_admin,
    ):
        _, sku_id = await _sku(catalog)
        refused = await catalog.post(f"{PRICING}/skus/{sku_id}/schedules", json=body)
        not_theirs = await catalog.post(
            f"{PRICING}/skus/{sku_id}/schedules/override", json={**body, "reason": "引流"}
        )
        overridden = await as_admin.post(
            f"{PRICING}/skus/{sku_id}/schedules/override", json={**body, "reason": "引流"}
        )
        cancelled = await catalog.post(f"{PRICING}/schedules/{overridden.json()['id']}/cancel")
        twice = await catalog.post(f"{PRICING}/schedules/{overridden.json()['id']}/cancel")
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["body.price.amount"]
    assert not_theirs.status_code == 403
    assert overridden.status_code == 201
    assert (overridden.json()["override_by"], overridden.json()["override_reason"]) == (
        admin_id,
        "引流",
    )
    assert cancelled.json()["state"] == "cancelled"
    assert twice.status_code == 409


@pytest.mark.parametrize(
    ("shift", "field"),
    [({"starts_at": -60}, "body.starts_at"), ({"ends_at": 0}, "body.ends_at")],
)
async def test_a_schedule_must_start_ahead_and_end_after_it_starts(
    platform, operator, shift, field
):
    start = now() + timedelta(minutes=10)
    times = {"starts_at": start, "ends_at": start + timedelta(minutes=5)}
    for name, seconds in shift.items():
        times[name] = now() + timedelta(seconds=seconds) if name == "starts_at" else start
    body = {"price": cny(7000), **{k: v.isoformat() for k, v in times.items()}}
    async with platform.client("catalog", operator) as catalog:
        _, sku_id = await _sku(catalog)
        response = await catalog.post(f"{PRICING}/skus/{sku_id}/schedules", json=body)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]


async def test_creating_a_sku_below_the_guard_is_refused(platform, operator):
    sku = {"code": f"P-{new_id().hex}", "price": cny(4000), "cost": cny(4000)}
    async with platform.client("catalog", operator) as catalog:
        response = await catalog.post(PRODUCTS, json={"name": "x", "skus": [sku]})
    assert response.status_code == 422
    assert response.json()["type"].endswith("/margin-guard")
    assert [e["field"] for e in response.json()["errors"]] == ["body.skus.0.price.amount"]


async def test_a_cost_no_price_can_carry_the_margin_over_has_no_floor(platform, operator, admin):
    _, admin_only = admin
    huge_cost = {"list_price": cny(4900), "cost": cny(MAX_AMOUNT - 1), "reason": "样品: 成本待核"}
    async with (
        platform.client("catalog", operator) as catalog,
        platform.client("catalog", admin_only) as as_admin,
    ):
        _, sku_id = await _sku(catalog)
        overridden = await as_admin.put(f"{PRICING}/skus/{sku_id}/override", json=huge_cost)
        read = await catalog.get(f"{PRICING}/skus/{sku_id}")
    assert overridden.status_code == 200, overridden.text
    assert (read.status_code, read.json()["floor"]) == (200, None)
    assert read.json()["cost"] == cny(MAX_AMOUNT - 1)
