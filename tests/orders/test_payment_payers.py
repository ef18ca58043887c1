"""Who paid, as a reference: a callback naming the provider's payer account puts a keyed hash
of it (never the id) on `order.paid` as `payer_ref`, the same for one account each time and
another for another; a callback without one puts none; a bad one is a 422 that spends
nothing."""

import hashlib
import hmac
import json
from uuid import UUID

import pytest
from observe import event_about

from chassis.clock import now
from chassis.money import Money

pytestmark = pytest.mark.asyncio

ORDERS = "/api/v1/orders/orders"
CALLBACK = "/api/v1/orders/payments/callback"
PAID = ("flywheel.orders.order", "flywheel.orders.order.paid.v1")
WALLET = "2088102146225135"  # as Alipay's buyer_id


def _provider(trade):
    return trade.platform.servers["orders"].app.state.payment_provider


async def _pay(trade, client, payer_id: str | None = None):
    """A new order reserved, its payment opened and the provider's callback delivered."""
    sku = await trade.product(1500)
    order = await trade.reserve(client, await trade.place(client, sku))
    payment = (await client.post(f"{ORDERS}/{order['id']}/payments", json={})).json()
    money = Money.model_validate(payment["amount"])
    body, headers = _provider(trade).callback(
        UUID(payment["id"]), UUID(order["id"]), money, now(), payer_id=payer_id
    )
    answer = await client.post(CALLBACK, content=body, headers=headers)
    return order, payment, answer


async def _staged_paid(trade, order_id: str) -> dict:
    [staged] = await trade.staged(PAID[1], order_id)
    return staged


def _expected(trade, payer_id: str) -> str:
    provider = _provider(trade)
    message = f"payer:{provider.name}:{payer_id}".encode()
    return hmac.new(provider.secret, message, hashlib.sha256).hexdigest()[:32]


async def test_a_payer_id_goes_on_order_paid_as_its_keyed_hash_only(trade):
    _, client = await trade.customer()
    _, other = await trade.customer()
    async with client, other:
        first, _, answer = await _pay(trade, client, WALLET)
        again, _, _ = await _pay(trade, other, WALLET)  # another customer, the same wallet
        elsewhere, _, _ = await _pay(trade, client, "2088000000000001")
    assert answer.status_code == 200, answer.text
    staged = await _staged_paid(trade, first["id"])
    ref = staged["data"]["payer_ref"]
    assert ref == _expected(trade, WALLET)
    assert len(ref) == 32
    assert WALLET not in json.dumps(staged)  # the id itself is nowhere in the event
    assert (await _staged_paid(trade, again["id"]))["data"]["payer_ref"] == ref
    assert (await _staged_paid(trade, elsewhere["id"]))["data"]["payer_ref"] not in (ref, None)
    published = await event_about(trade.bootstrap_servers, *PAID, first["id"])
    assert published["data"]["payer_ref"] == ref


async def test_a_callback_without_a_payer_puts_none_on_order_paid(trade):
    _, client = await trade.customer()
    async with client:
        order, _, answer = await _pay(trade, client)
    assert answer.json()["order_status"] == "paid"
    assert (await _staged_paid(trade, order["id"]))["data"]["payer_ref"] is None


async def test_a_bad_payer_id_is_a_422_naming_it_and_spends_nothing(trade):
    _, client = await trade.customer()
    async with client:
        order, payment, answer = await _pay(trade, client, "x" * 129)
        still = (await client.get(f"{ORDERS}/{order['id']}")).json()
        money = Money.model_validate(payment["amount"])
        body, headers = _provider(trade).callback(
            UUID(payment["id"]), UUID(order["id"]), money, now(), payer_id=WALLET
        )
        genuine = await client.post(CALLBACK, content=body, headers=headers)
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in answer.json()["errors"]] == ["body.payer_id"]
    assert still["status"] == "awaiting_payment"
    assert genuine.json()["order_status"] == "paid"
    assert (await _staged_paid(trade, order["id"]))["data"]["payer_ref"] == _expected(trade, WALLET)
