"""Inventory over real HTTP: stock per SKU, adjustments and their ledger, thresholds; and the
saga over the broker: an order placed in the orders service reserves catalog stock."""

from chassis.ids import new_id
from chassis.testing import eventually

PRODUCTS = "/api/v1/catalog/products"
INVENTORY = "/api/v1/catalog/inventory"


async def _listed(platform, operators, *, price=1500) -> str:
    """A listed product without variants (its SKU id is its id), with nothing in stock."""
    submitter, reviewer = operators
    async with platform.client("catalog", submitter) as catalog:
        created = await catalog.post(
            PRODUCTS,
            json={
                "name": f"Cup {new_id().hex[-6:]}",
                "price": {"amount": price, "currency": "CNY"},
            },
        )
        product_id = created.json()["id"]
        await catalog.post(f"{PRODUCTS}/{product_id}/submit")
    async with platform.client("catalog", reviewer) as catalog:
        assert (await catalog.post(f"{PRODUCTS}/{product_id}/approve")).status_code == 200
    return product_id


async def test_adjustments_move_on_hand_and_the_ledger_sums_to_it(platform, operators):
    sku = await _listed(platform, operators)
    async with platform.client("catalog", operators[0]) as catalog:
        received = await catalog.post(
            f"{INVENTORY}/skus/{sku}/adjustments",
            json={"delta": 20, "reason": "receipt", "note": "PO-1"},
        )
        damaged = await catalog.post(
            f"{INVENTORY}/skus/{sku}/adjustments", json={"delta": -3, "reason": "damage"}
        )
        too_much = await catalog.post(
            f"{INVENTORY}/skus/{sku}/adjustments", json={"delta": -18, "reason": "count"}
        )
        overflow = [
            await catalog.post(
                f"{INVENTORY}/skus/{sku}/adjustments",
                json={"delta": 1_000_000_000, "reason": "receipt"},
            )
            for _ in range(2)
        ]
        wrong_way = await catalog.post(
            f"{INVENTORY}/skus/{sku}/adjustments", json={"delta": 3, "reason": "damage"}
        )
        by_hand_sale = await catalog.post(
            f"{INVENTORY}/skus/{sku}/adjustments", json={"delta": -1, "reason": "sale"}
        )
        fraction = await catalog.post(
            f"{INVENTORY}/skus/{sku}/adjustments", json={"delta": 1.5, "reason": "receipt"}
        )
        ledger = (await catalog.get(f"{INVENTORY}/skus/{sku}/ledger")).json()["items"]
        stock = (await catalog.get(f"{INVENTORY}/skus/{sku}")).json()
        product = (await catalog.get(f"{PRODUCTS}/{sku}")).json()
    assert received.json()["on_hand"] == 20
    assert damaged.json() == {
        "sku_id": sku,
        "on_hand": 17,
        "reserved": 0,
        "held": 0,
        "available": 17,
        "low_stock_threshold": 0,
        "low": False,
    }
    assert too_much.status_code == 409
    assert [r.status_code for r in overflow] == [409, 409]  # 17 + 10^9 is over the limit
    assert [r.status_code for r in (wrong_way, by_hand_sale, fraction)] == [422, 422, 422]
    assert [e["field"] for e in wrong_way.json()["errors"]] == ["body.delta"]
    assert [(e["delta"], e["reason"]) for e in ledger] == [(-3, "damage"), (20, "receipt")]
    assert sum(e["delta"] for e in ledger) == stock["on_hand"] == 17
    assert product["in_stock"] is True
    assert product["skus"][0]["stock"] == 17


async def test_a_threshold_makes_a_sku_low(platform, operators, operator_token):
    sku = await _listed(platform, operators)
    async with platform.client("catalog", operators[0]) as catalog:
        await catalog.post(
            f"{INVENTORY}/skus/{sku}/adjustments", json={"delta": 10, "reason": "receipt"}
        )
        set_ = await catalog.put(
            f"{INVENTORY}/skus/{sku}/threshold", json={"low_stock_threshold": 8}
        )
        negative = await catalog.put(
            f"{INVENTORY}/skus/{sku}/threshold", json={"low_stock_threshold": -1}
        )
        await catalog.post(
            f"{INVENTORY}/skus/{sku}/adjustments", json={"delta": -4, "reason": "count"}
        )
        stock = (await catalog.get(f"{INVENTORY}/skus/{sku}")).json()
    assert set_.json()["low"] is False
    assert negative.status_code == 422
    assert (stock["available"], stock["low"]) == (6, True)

    async def published():
        async with platform.client("analytics", operator_token) as analytics:
            response = await analytics.get(
                "/api/v1/analytics/events",
                params={"type": "flywheel.catalog.sku.stock_ran_low.v1", "subject": sku},
            )
        return response.json()["items"]

    (low,) = await eventually(published)
    assert (low["data"]["available"], low["data"]["threshold"]) == (6, 8)


async def test_stock_routes_are_for_staff(platform, operators):
    sku = await _listed(platform, operators)
    _, customer = await platform.customer()
    async with platform.client("catalog", customer) as catalog:
        read = await catalog.get(f"{INVENTORY}/skus/{sku}")
        adjust = await catalog.post(
            f"{INVENTORY}/skus/{sku}/adjustments", json={"delta": 5, "reason": "receipt"}
        )
    async with platform.client("catalog", operators[0]) as catalog:
        unknown = await catalog.get(f"{INVENTORY}/skus/{new_id()}")
        no_reservation = await catalog.get(f"{INVENTORY}/reservations/{new_id()}")
    assert (read.status_code, adjust.status_code) == (403, 403)
    assert (unknown.status_code, no_reservation.status_code) == (404, 404)


async def test_an_order_placed_reserves_catalog_stock(platform, operators, operator_token):
    sku = await _listed(platform, operators, price=1999)
    async with platform.client("catalog", operators[0]) as catalog:
        await catalog.post(
            f"{INVENTORY}/skus/{sku}/adjustments", json={"delta": 5, "reason": "receipt"}
        )
    _, customer = await platform.customer()
    async with platform.client("orders", customer) as orders:

        async def placed():
            response = await orders.post(
                "/api/v1/orders/orders", json={"lines": [{"product_id": sku, "quantity": 2}]}
            )
            return response if response.status_code == 201 else None

        order_id = (await eventually(placed)).json()["id"]

    async with platform.client("catalog", operators[0]) as catalog:

        async def held():
            response = await catalog.get(f"{INVENTORY}/reservations/{order_id}")
            return response.json() if response.status_code == 200 else None

        reservation = await eventually(held)
        stock = (await catalog.get(f"{INVENTORY}/skus/{sku}")).json()
    assert reservation["state"] == "held"
    assert reservation["lines"] == [
        {"sku_id": sku, "quantity": 2, "flash_session_id": None, "from_hold": 0}
    ]
    assert (stock["on_hand"], stock["reserved"], stock["available"]) == (5, 2, 3)

    async def answered():
        async with platform.client("analytics", operator_token) as analytics:
            response = await analytics.get(
                "/api/v1/analytics/events",
                params={"type": "flywheel.catalog.stock.reserved.v1", "subject": order_id},
            )
        return response.json()["items"]

    (event,) = await eventually(answered)
    assert event["data"]["lines"] == [{"sku_id": sku, "quantity": 2}]
