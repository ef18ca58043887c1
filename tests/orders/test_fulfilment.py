"""Fulfilment over HTTP: an operator ships a paid order, the customer confirms receipt (or
the scheduler does, N days after shipping), and the order completes when the return window
closes; each step once, and only from the state before it."""

from datetime import timedelta
from uuid import UUID

import pytest
from sqlalchemy import update

from chassis.clock import now
from chassis.ids import new_id
from services.orders.checkout.models import Order

pytestmark = pytest.mark.asyncio

ORDERS = "/api/v1/orders/orders"
SHIPPED = "flywheel.orders.order.shipped.v1"
DELIVERED = "flywheel.orders.order.delivered.v1"
COMPLETED = "flywheel.orders.order.completed.v1"
PARCEL = {"carrier": "SF Express", "tracking_number": "SF1234567890"}


async def _backdate(trade, order_id: str, **times) -> None:
    """Move the order's times into the past rather than wait days for them."""
    async with trade.db.session() as session, session.begin():
        values = {column: now() - age for column, age in times.items()}
        await session.execute(update(Order).where(Order.id == UUID(order_id)).values(**values))


async def test_a_paid_order_is_shipped_confirmed_and_completed(trade):
    _, client = await trade.customer()
    _, operator_token = await trade.platform.staff("operator")
    async with client, trade.platform.client("orders", operator_token) as operator:
        order = await trade.paid(client)

        by_customer = await client.post(f"{ORDERS}/{order['id']}/shipments", json=PARCEL)
        shipped = await operator.post(f"{ORDERS}/{order['id']}/shipments", json=PARCEL)
        twice = await operator.post(f"{ORDERS}/{order['id']}/shipments", json=PARCEL)
        received = await client.post(f"{ORDERS}/{order['id']}/receipt")
        again = await client.post(f"{ORDERS}/{order['id']}/receipt")
        await _backdate(trade, order["id"], delivered_at=timedelta(days=7, seconds=1))
        completed = await trade.order_when(client, order["id"], "completed")

    assert by_customer.status_code == 403
    assert shipped.status_code == 201
    assert (shipped.json()["carrier"], shipped.json()["tracking_number"]) == (
        "SF Express",
        "SF1234567890",
    )
    assert twice.status_code == 409
    assert received.json()["status"] == "delivered"
    assert again.status_code == 409
    assert [(s["status"], s["cause"]) for s in completed["history"]][3:] == [
        ("shipped", "shipped by SF Express, tracking SF1234567890"),
        ("delivered", "receipt confirmed by the customer"),
        ("completed", "the return window closed"),
    ]
    (event,) = await trade.staged(SHIPPED, order["id"])
    assert event["data"]["shipment_id"] == shipped.json()["id"]
    assert event["data"]["sku_ids"] == [order["lines"][0]["sku_id"]]
    (event,) = await trade.staged(DELIVERED, order["id"])
    assert event["data"]["automatic"] is False
    (event,) = await trade.staged(COMPLETED, order["id"])
    assert event["data"]["total"] == order["total"]


async def test_receipt_is_confirmed_automatically_after_the_days_allowed(trade):
    _, client = await trade.customer()
    _, operator_token = await trade.platform.staff("operator")
    async with client, trade.platform.client("orders", operator_token) as operator:
        order = await trade.paid(client)
        recent = await trade.paid(client)
        for paid in (order, recent):
            await operator.post(f"{ORDERS}/{paid['id']}/shipments", json=PARCEL)
        await _backdate(trade, order["id"], shipped_at=timedelta(days=10, seconds=1))

        delivered = await trade.order_when(client, order["id"], "delivered")
        still_shipped = (await client.get(f"{ORDERS}/{recent['id']}")).json()

    assert delivered["history"][-1]["cause"] == "receipt confirmed automatically"
    (event,) = await trade.staged(DELIVERED, order["id"])
    assert event["data"]["automatic"] is True
    assert still_shipped["status"] == "shipped"


async def test_only_a_paid_order_ships_and_only_its_customer_confirms(trade):
    _, client = await trade.customer()
    _, someone_else = await trade.customer()
    _, operator_token = await trade.platform.staff("operator")
    async with client, someone_else, trade.platform.client("orders", operator_token) as operator:
        placed = await trade.place(client, await trade.product())
        unpaid = await operator.post(f"{ORDERS}/{placed['id']}/shipments", json=PARCEL)
        unknown = await operator.post(f"{ORDERS}/{new_id()}/shipments", json=PARCEL)
        bad = await operator.post(
            f"{ORDERS}/{placed['id']}/shipments", json={**PARCEL, "tracking_number": "no spaces"}
        )
        order = await trade.paid(client)
        too_early = await client.post(f"{ORDERS}/{order['id']}/receipt")
        await operator.post(f"{ORDERS}/{order['id']}/shipments", json=PARCEL)
        not_theirs = await someone_else.post(f"{ORDERS}/{order['id']}/receipt")

    assert unpaid.status_code == 409
    assert unpaid.json()["current"] == "placed"
    assert unknown.status_code == 404
    assert bad.json()["errors"][0]["field"] == "body.tracking_number"
    assert too_early.status_code == 409
    assert not_theirs.status_code == 404
