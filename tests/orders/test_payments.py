"""Payments over HTTP: a payment opened for an order awaiting payment, the provider's signed
callback paying it once, forged, stale, replayed and wrong-amount callbacks refused, and a
payment for a cancelled order refunded instead of resurrecting it."""

from datetime import timedelta
from uuid import UUID

import pytest
from observe import event_about
from sqlalchemy import select

from chassis.clock import now
from chassis.ids import new_id
from chassis.money import Money
from services.orders.refunds.models import Refund

pytestmark = pytest.mark.asyncio

ORDERS = "/api/v1/orders/orders"
CALLBACK = "/api/v1/orders/payments/callback"
PAID = ("flywheel.orders.order", "flywheel.orders.order.paid.v1")


async def _awaiting(trade, client, amount: int = 1200) -> dict:
    return await trade.reserve(client, await trade.place(client, await trade.product(amount)))


def _provider(trade):
    return trade.platform.servers["orders"].app.state.payment_provider


def _callback(trade, payment: dict, *, amount: dict | None = None, at=None):
    money = Money.model_validate(amount or payment["amount"])
    return _provider(trade).callback(
        UUID(payment["id"]), UUID(payment["order_id"]), money, at or now()
    )


async def _deliver(client, body: bytes, headers: dict):
    return await client.post(CALLBACK, content=body, headers=headers)


async def test_a_signed_callback_pays_the_order_once(trade):
    _, client = await trade.customer()
    async with client:
        order = await _awaiting(trade, client)
        opened = await client.post(f"{ORDERS}/{order['id']}/payments", json={})
        assert opened.status_code == 201
        payment = opened.json()
        assert (payment["amount"], payment["status"]) == (order["total"], "pending")
        assert payment["page_url"].endswith(payment["id"])

        body, headers = _callback(trade, payment)
        paid = await _deliver(client, body, headers)
        replayed = await _deliver(client, body, headers)
        retried = await _deliver(client, *_callback(trade, payment))  # a new nonce
        final = (await client.get(f"{ORDERS}/{order['id']}")).json()

    assert paid.status_code == 200
    assert paid.json() == {
        "payment_id": payment["id"],
        "order_id": order["id"],
        "order_status": "paid",
        "refund_id": None,
    }
    assert replayed.status_code == 409
    assert replayed.headers["content-type"] == "application/problem+json"
    assert (retried.status_code, retried.json()["order_status"]) == (200, "paid")
    assert [s["status"] for s in final["history"]] == ["placed", "awaiting_payment", "paid"]
    assert final["history"][-1]["cause"] == f"paid (payment {payment['id']})"
    event = await event_about(trade.bootstrap_servers, *PAID, order["id"])
    assert event["data"]["total"] == order["total"]
    assert [line["paid"] for line in event["data"]["lines"]] == [order["total"]]
    assert len(await trade.staged(PAID[1], order["id"])) == 1


async def test_forged_stale_and_wrong_amount_callbacks_are_refused(trade):
    _, client = await trade.customer()
    async with client:
        order = await _awaiting(trade, client)
        payment = (await client.post(f"{ORDERS}/{order['id']}/payments", json={})).json()

        body, headers = _callback(trade, payment)
        forged = await _deliver(client, body.replace(b'"sim_', b'"fake_'), headers)
        stale = await _deliver(client, *_callback(trade, payment, at=now() - timedelta(minutes=6)))
        unsigned = await client.post(
            CALLBACK, content=body, headers={"Content-Type": "application/json"}
        )
        cheaper = {**payment["amount"], "amount": payment["amount"]["amount"] - 1}
        wrong_amount = await _deliver(client, *_callback(trade, payment, amount=cheaper))
        unknown = {**payment, "id": str(new_id())}
        not_ours = await _deliver(client, *_callback(trade, unknown))
        still = (await client.get(f"{ORDERS}/{order['id']}")).json()
        # After all that, the genuine callback still pays: nothing above spent its nonce.
        genuine = await _deliver(client, body, headers)

    for refused in (forged, stale, unsigned):
        assert refused.status_code == 401
        assert refused.headers["content-type"] == "application/problem+json"
    assert wrong_amount.status_code == 422
    assert [e["field"] for e in wrong_amount.json()["errors"]] == ["body.amount"]
    assert not_ours.status_code == 404
    assert still["status"] == "awaiting_payment"
    assert genuine.json()["order_status"] == "paid"


async def test_a_payment_for_a_cancelled_order_is_refunded_not_resurrected(trade):
    _, client = await trade.customer()
    async with client:
        order = await _awaiting(trade, client, amount=3300)
        payment = (await client.post(f"{ORDERS}/{order['id']}/payments", json={})).json()
        assert (await client.post(f"{ORDERS}/{order['id']}/cancel")).status_code == 200

        answer = await _deliver(client, *_callback(trade, payment))
        again = await _deliver(client, *_callback(trade, payment))
        final = (await client.get(f"{ORDERS}/{order['id']}")).json()

    assert answer.status_code == 200
    outcome = answer.json()
    assert outcome["order_status"] == "cancelled"
    assert outcome["refund_id"] is not None
    assert again.json() == outcome  # a retried callback refunds nothing twice
    assert [s["status"] for s in final["history"]] == ["placed", "awaiting_payment", "cancelled"]
    async with trade.db.session() as session:
        refunds = list(
            await session.scalars(select(Refund).where(Refund.order_id == UUID(order["id"])))
        )
    assert [(str(r.id), r.amount.amount, r.reason) for r in refunds] == [
        (outcome["refund_id"], 3300, "paid while the order was cancelled")
    ]
    assert await trade.staged(PAID[1], order["id"]) == []


async def test_only_an_own_order_awaiting_payment_can_be_paid_once(trade):
    _, client = await trade.customer()
    _, someone_else = await trade.customer()
    async with client, someone_else:
        sku = await trade.product()
        placed = (
            await client.post(ORDERS, json={"lines": [{"sku_id": sku, "quantity": 1}]})
        ).json()
        too_early = await client.post(f"{ORDERS}/{placed['id']}/payments", json={})
        order = await _awaiting(trade, client)
        theirs = await someone_else.post(f"{ORDERS}/{order['id']}/payments", json={})
        key = {"Idempotency-Key": f"pay-{new_id().hex}"}
        first = await client.post(f"{ORDERS}/{order['id']}/payments", json={}, headers=key)
        retry = await client.post(f"{ORDERS}/{order['id']}/payments", json={}, headers=key)
        second = await client.post(f"{ORDERS}/{order['id']}/payments", json={})
        unknown = await client.post(f"{ORDERS}/{new_id()}/payments", json={})

    assert too_early.status_code == 409
    assert theirs.status_code == 404
    assert unknown.status_code == 404
    assert first.status_code == 201
    assert (retry.status_code, retry.content) == (201, first.content)
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert second.status_code == 409
    assert second.json()["payment_id"] == first.json()["id"]


async def test_a_malformed_callback_body_is_a_422(trade):
    async with trade.platform.client("orders") as anonymous:
        response = await anonymous.post(CALLBACK, json={"payment_id": "x"})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"body.payment_id", "body.order_id", "body.amount", "body.reference"} <= fields
