"""Suppliers and purchase orders over real HTTP: draft → sent → received with partial
receipts into the stock ledger, refusals naming the field, illegal moves 409, the scorecard,
and `purchase_order.received` through the broker."""

import pytest

from chassis.ids import new_id
from chassis.testing import eventually

PRODUCTS = "/api/v1/catalog/products"
SUPPLIERS = "/api/v1/catalog/suppliers"
ORDERS = "/api/v1/catalog/purchase-orders"
INVENTORY = "/api/v1/catalog/inventory"
RECEIVED = "flywheel.catalog.purchase_order.received.v1"


async def _supplier(catalog, lead_time_days: int = 7) -> dict:
    body = {"name": f"义乌供应商 {new_id().hex[-8:]}", "lead_time_days": lead_time_days}
    created = await catalog.post(SUPPLIERS, json=body)
    assert created.status_code == 201, created.text
    return created.json()


async def _skus(catalog, stock: int = 5) -> list[str]:
    skus = [
        {
            "code": f"S-{new_id().hex}",
            "attributes": {"颜色": colour},
            "price": {"amount": 1000, "currency": "CNY"},
            "stock": stock,
        }
        for colour in ("红", "蓝")
    ]
    body = {"name": "玻璃杯", "attributes": {"颜色": ["红", "蓝"]}, "skus": skus}
    created = await catalog.post(PRODUCTS, json=body)
    assert created.status_code == 201, created.text
    return [sku["id"] for sku in created.json()["skus"]]


async def _ledger_sum(catalog, sku_id: str) -> tuple[int, int]:
    """(on hand, the ledger's sum)."""
    level = (await catalog.get(f"{INVENTORY}/skus/{sku_id}")).json()
    entries = (await catalog.get(f"{INVENTORY}/skus/{sku_id}/ledger", params={"limit": 100})).json()
    return level["on_hand"], sum(e["delta"] for e in entries["items"])


async def test_an_order_from_draft_to_received_in_two_deliveries(
    platform, operator, operator_token
):
    async with platform.client("catalog", operator) as catalog:
        supplier = await _supplier(catalog)
        cup, lid = await _skus(catalog)
        draft = await catalog.post(
            ORDERS,
            json={
                "supplier_id": supplier["id"],
                "lines": [{"sku_id": cup, "quantity": 50}, {"sku_id": lid, "quantity": 20}],
            },
        )
        order = draft.json()["id"]
        early = await catalog.post(
            f"{ORDERS}/{order}/receipts", json={"lines": [{"sku_id": cup, "quantity": 1}]}
        )
        sent = await catalog.post(f"{ORDERS}/{order}/send")
        again = await catalog.post(f"{ORDERS}/{order}/send")
        first = await catalog.post(
            f"{ORDERS}/{order}/receipts",
            json={"lines": [{"sku_id": cup, "quantity": 28, "defective": 2}]},
        )
        too_many = await catalog.post(
            f"{ORDERS}/{order}/receipts",
            json={"lines": [{"sku_id": lid, "quantity": 20}, {"sku_id": cup, "quantity": 21}]},
        )
        cancel_late = await catalog.post(f"{ORDERS}/{order}/cancel")
        second = await catalog.post(
            f"{ORDERS}/{order}/receipts",
            json={"lines": [{"sku_id": lid, "quantity": 20}, {"sku_id": cup, "quantity": 20}]},
        )
        after = await catalog.post(
            f"{ORDERS}/{order}/receipts", json={"lines": [{"sku_id": cup, "quantity": 1}]}
        )
        stock = [await _ledger_sum(catalog, sku) for sku in (cup, lid)]
        card = (await catalog.get(f"{SUPPLIERS}/{supplier['id']}")).json()["scorecard"]

    assert draft.status_code == 201, draft.text
    assert draft.json()["state"] == "draft"
    assert early.status_code == 409  # a draft receives nothing
    assert sent.json()["state"] == "sent"
    assert sent.json()["expected_at"] is not None
    assert again.status_code == 409
    assert first.status_code == 200, first.text
    assert first.json()["state"] == "partially_received"
    lines = {
        x["sku_id"]: (x["received"], x["defective"], x["outstanding"])
        for x in first.json()["lines"]
    }
    assert lines == {cup: (28, 2, 20), lid: (0, 0, 20)}
    assert too_many.status_code == 422
    assert [e["field"] for e in too_many.json()["errors"]] == ["body.lines.1.quantity"]
    assert cancel_late.status_code == 409  # something arrived: it is not cancelled
    assert second.json()["state"] == "received"
    assert second.json()["closed_at"] is not None
    assert after.status_code == 409
    # Good units only went on hand, and the ledger still sums to it.
    assert stock == [(5 + 48, 5 + 48), (5 + 20, 5 + 20)]
    assert card == {
        "receipts": 2,
        "on_time": 2,
        "on_time_rate": 1.0,
        "units": 70,
        "defective": 2,
        "defect_rate": 0.0286,
    }

    async def published():
        async with platform.client("analytics", operator_token) as analytics:
            response = await analytics.get(
                "/api/v1/analytics/events", params={"type": RECEIVED, "subject": order}
            )
        items = response.json()["items"]
        return items if len(items) == 2 else None

    events = sorted(await eventually(published, within=60), key=lambda e: e["time"])
    assert [e["data"]["complete"] for e in events] == [False, True]
    assert events[0]["data"]["lines"] == [{"sku_id": cup, "quantity": 28, "defective": 2}]
    assert events[1]["data"]["supplier_id"] == supplier["id"]


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ([{"sku_id": "unknown", "quantity": 1}], "body.lines.0.sku_id"),
        ([{"sku_id": "new", "quantity": 0}], "body.lines.0.quantity"),
        ([{"sku_id": "new", "quantity": -3}], "body.lines.0.quantity"),
        ([{"sku_id": "new", "quantity": 1.5}], "body.lines.0.quantity"),
        (
            [{"sku_id": "cup", "quantity": 1}, {"sku_id": "cup", "quantity": 2}],
            "body.lines.1.sku_id",
        ),
        ([], "body.lines"),
    ],
)
async def test_bad_orders_are_422_naming_the_field(platform, operator, lines, field):
    async with platform.client("catalog", operator) as catalog:
        supplier = await _supplier(catalog)
        cup, _ = await _skus(catalog)
        ids = {"cup": cup, "new": str(new_id()), "unknown": str(new_id())}
        if field != "body.lines.0.sku_id":
            ids["new"] = cup
        body = {
            "supplier_id": supplier["id"],
            "lines": [{**line, "sku_id": ids[line["sku_id"]]} for line in lines],
        }
        response = await catalog.post(ORDERS, json=body)
    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in response.json()["errors"]]


async def test_receipt_refusals_name_the_field(platform, operator):
    async with platform.client("catalog", operator) as catalog:
        supplier = await _supplier(catalog)
        cup, lid = await _skus(catalog)
        order = (
            await catalog.post(
                ORDERS,
                json={"supplier_id": supplier["id"], "lines": [{"sku_id": cup, "quantity": 5}]},
            )
        ).json()["id"]
        await catalog.post(f"{ORDERS}/{order}/send")
        not_ordered = await catalog.post(
            f"{ORDERS}/{order}/receipts", json={"lines": [{"sku_id": lid, "quantity": 1}]}
        )
        nothing = await catalog.post(
            f"{ORDERS}/{order}/receipts", json={"lines": [{"sku_id": cup}]}
        )
        beyond = await catalog.post(
            f"{ORDERS}/{order}/receipts",
            json={"lines": [{"sku_id": cup, "quantity": 5, "defective": 1}]},
        )
        untouched = (await catalog.get(f"{ORDERS}/{order}")).json()
    assert [e["field"] for e in not_ordered.json()["errors"]] == ["body.lines.0.sku_id"]
    assert [e["field"] for e in nothing.json()["errors"]] == ["body.lines.0.quantity"]
    assert [e["field"] for e in beyond.json()["errors"]] == ["body.lines.0.quantity"]
    assert "5 outstanding" in beyond.json()["detail"]
    assert (untouched["state"], untouched["lines"][0]["received"]) == ("sent", 0)


async def test_a_supplier_name_is_unique_and_unknown_ids_are_404(platform, operator):
    async with platform.client("catalog", operator) as catalog:
        supplier = await _supplier(catalog)
        twin = await catalog.post(SUPPLIERS, json={"name": supplier["name"], "lead_time_days": 3})
        unknown = await catalog.get(f"{SUPPLIERS}/{new_id()}")
        no_order = await catalog.post(f"{ORDERS}/{new_id()}/send")
        no_sku = await catalog.put(f"{SUPPLIERS}/{supplier['id']}/skus/{new_id()}", json={})
        bad_lead = await catalog.post(SUPPLIERS, json={"name": "x", "lead_time_days": -1})
    assert twin.status_code == 409
    assert (unknown.status_code, no_order.status_code, no_sku.status_code) == (404, 404, 404)
    assert [e["field"] for e in bad_lead.json()["errors"]] == ["body.lead_time_days"]


async def test_a_suggestion_orders_what_is_at_or_below_the_reorder_point(platform, operator):
    async with platform.client("catalog", operator) as catalog:
        supplier = await _supplier(catalog, lead_time_days=10)
        low, high = await _skus(catalog, stock=5)
        await catalog.put(f"{SUPPLIERS}/{supplier['id']}/skus/{low}", json={"safety_stock": 8})
        await catalog.put(f"{SUPPLIERS}/{supplier['id']}/skus/{high}", json={"safety_stock": 2})
        figures = await catalog.get(f"{SUPPLIERS}/{supplier['id']}/reorder")
        suggested = await catalog.post(f"{SUPPLIERS}/{supplier['id']}/reorder")
        # What is now on order lifts the position: nothing more to suggest.
        again = await catalog.post(f"{SUPPLIERS}/{supplier['id']}/reorder")
    by_sku = {f["sku_id"]: f for f in figures.json()}
    assert (by_sku[low]["reorder_point"], by_sku[low]["quantity"]) == (8, 3)  # no sales yet
    assert (by_sku[high]["reorder_point"], by_sku[high]["quantity"]) == (2, 0)
    assert suggested.status_code == 201, suggested.text
    order = suggested.json()["purchase_order"]
    assert order["suggested"] is True
    assert [(x["sku_id"], x["quantity"]) for x in order["lines"]] == [(low, 3)]
    assert [f["sku_id"] for f in suggested.json()["figures"]] == [low]
    assert again.status_code == 409


async def test_customers_may_not_reach_suppliers(platform):
    _, customer = await platform.customer()
    async with platform.client("catalog", customer) as catalog:
        answers = [
            await catalog.get(SUPPLIERS),
            await catalog.post(SUPPLIERS, json={"name": "x", "lead_time_days": 1}),
            await catalog.get(ORDERS),
        ]
    assert [a.status_code for a in answers] == [403, 403, 403]
