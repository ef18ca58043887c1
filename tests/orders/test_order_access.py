"""Who reaches which orders: customers their own (with filters), operators all of them
(search by customer, status, SKU, time, and its CSV export), and a customer's cancel before
payment."""

import csv
import io
from datetime import datetime

import pytest

from chassis.ids import new_id

pytestmark = pytest.mark.asyncio

ORDERS = "/api/v1/orders/orders"
SEARCH = f"{ORDERS}/search"


def _ids(page) -> list[str]:
    return [order["id"] for order in page.json()["items"]]


async def test_a_customer_lists_and_filters_only_their_own_orders(trade):
    sku = await trade.product()
    _, client = await trade.customer()
    _, other = await trade.customer()
    async with client, other:
        first = await trade.place(client, sku)
        second = await trade.place(client, sku)
        theirs = await trade.place(other, sku)
        await trade.reserve(client, second)

        everything = await client.get(ORDERS)
        awaiting = await client.get(ORDERS, params={"status": "awaiting_payment"})
        since_second = await client.get(ORDERS, params={"placed_from": second["placed_at"]})
        before_second = await client.get(ORDERS, params={"placed_to": second["placed_at"]})
        hidden = await client.get(f"{ORDERS}/{theirs['id']}")
        bad_status = await client.get(ORDERS, params={"status": "lost"})
        naive_time = await client.get(ORDERS, params={"placed_from": "2026-12-01T09:00:00"})
        number_time = await client.get(ORDERS, params={"placed_to": "0.5"})

    assert _ids(everything) == [second["id"], first["id"]]
    assert _ids(awaiting) == [second["id"]]
    assert _ids(since_second) == [second["id"]]
    assert _ids(before_second) == [first["id"]]
    assert hidden.status_code == 404
    assert bad_status.json()["errors"][0]["field"] == "query.status"
    assert naive_time.json()["errors"][0]["field"] == "query.placed_from"
    assert number_time.json()["errors"][0]["field"] == "query.placed_to"


async def test_operators_search_every_order_and_customers_may_not(trade):
    tea, mug = await trade.product(), await trade.product()
    customer_id, client = await trade.customer()
    _, other = await trade.customer()
    _, operator_token = await trade.platform.staff("operator")
    async with client, other, trade.platform.client("orders", operator_token) as operator:
        mine = await trade.place(client, tea)
        mug_order = await trade.place(client, mug)
        theirs = await trade.place(other, tea)
        await trade.reserve(client, mine)

        by_customer = await operator.get(SEARCH, params={"customer_id": customer_id})
        by_sku = await operator.get(SEARCH, params={"sku_id": tea})
        by_status = await operator.get(SEARCH, params={"sku_id": tea, "status": "awaiting_payment"})
        by_time = await operator.get(
            SEARCH, params={"sku_id": tea, "placed_from": theirs["placed_at"]}
        )
        read = await operator.get(f"{ORDERS}/{theirs['id']}")
        refused = await client.get(SEARCH)

    assert _ids(by_customer) == [mug_order["id"], mine["id"]]
    assert _ids(by_sku) == [theirs["id"], mine["id"]]
    assert _ids(by_status) == [mine["id"]]
    assert _ids(by_time) == [theirs["id"]]
    assert read.json()["id"] == theirs["id"]
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"


async def test_a_customer_cancels_before_payment_once(trade):
    sku = await trade.product()
    _, client = await trade.customer()
    _, other = await trade.customer()
    async with client, other:
        placed = await trade.place(client, sku)
        awaiting = await trade.reserve(client, await trade.place(client, sku))

        not_theirs = await other.post(f"{ORDERS}/{placed['id']}/cancel")
        cancelled = await client.post(f"{ORDERS}/{placed['id']}/cancel")
        again = await client.post(f"{ORDERS}/{placed['id']}/cancel")
        while_awaiting = await client.post(f"{ORDERS}/{awaiting['id']}/cancel")
        unknown = await client.post(f"{ORDERS}/{new_id()}/cancel")

    assert not_theirs.status_code == 404
    assert cancelled.status_code == 200
    assert [(s["status"], s["cause"]) for s in cancelled.json()["history"]] == [
        ("placed", "placed by the customer"),
        ("cancelled", "cancelled by the customer"),
    ]
    assert again.status_code == 409
    assert again.json()["current"] == "cancelled"
    assert while_awaiting.json()["status"] == "cancelled"
    assert unknown.status_code == 404
    (event,) = await trade.staged("flywheel.orders.order.cancelled.v1", placed["id"])
    assert event["data"]["reason"] == "customer"


async def test_operators_export_a_search_as_csv_and_customers_may_not(trade):
    tea, mug = await trade.product(1500), await trade.product(800)
    customer_id, client = await trade.customer()
    _, other = await trade.customer()
    _, operator_token = await trade.platform.staff("operator")
    async with client, other, trade.platform.client("orders", operator_token) as operator:
        first = await trade.place(client, tea, 2)
        both = await client.post(
            ORDERS,
            json={"lines": [{"sku_id": tea, "quantity": 1}, {"sku_id": mug, "quantity": 3}]},
        )
        theirs = await trade.place(other, mug)
        await trade.reserve(client, first)

        by_sku = await operator.get(f"{SEARCH}/export", params={"sku_id": tea})
        by_customer_and_status = await operator.get(
            f"{SEARCH}/export", params={"customer_id": customer_id, "status": "placed"}
        )
        since = await operator.get(
            f"{SEARCH}/export", params={"sku_id": mug, "placed_from": theirs["placed_at"]}
        )
        refused = await client.get(f"{SEARCH}/export")
        bad = await operator.get(f"{SEARCH}/export", params={"placed_from": "yesterday"})

    second = both.json()
    assert by_sku.status_code == 200
    assert by_sku.headers["content-type"] == "text/csv; charset=utf-8"
    assert by_sku.headers["content-disposition"].startswith('attachment; filename="orders-')
    header, *rows = list(csv.reader(io.StringIO(by_sku.text)))
    assert header == [
        "order_id",
        "customer_id",
        "status",
        "placed_at",
        "total_minor",
        "currency",
        "points",
        "units",
        "lines",
    ]
    assert rows == [
        [
            second["id"],
            customer_id,
            "placed",
            datetime.fromisoformat(second["placed_at"]).isoformat(),
            "3900",
            "CNY",
            "0",
            "4",
            f"{tea} x 1; {mug} x 3",
        ],
        [
            first["id"],
            customer_id,
            "awaiting_payment",
            datetime.fromisoformat(first["placed_at"]).isoformat(),
            "3000",
            "CNY",
            "0",
            "2",
            f"{tea} x 2",
        ],
    ]
    assert [r[0] for r in list(csv.reader(io.StringIO(by_customer_and_status.text)))[1:]] == [
        second["id"]
    ]
    assert [r[0] for r in list(csv.reader(io.StringIO(since.text)))[1:]] == [theirs["id"]]
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert bad.json()["errors"][0]["field"] == "query.placed_from"
