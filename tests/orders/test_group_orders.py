"""Group buys (拼团) and bargains (砍价) at checkout, through the real broker: an order takes
the group's or the bargain's price, carries its id on order.placed; a failed group cancels
its orders (group_failed) and refunds the paid ones whole, exactly once under redelivery; a
completed group cancels the orders of customers without a seat and lets its members' ship."""

from datetime import timedelta
from uuid import UUID

import pytest

from chassis.clock import now
from chassis.ids import new_id
from chassis.money import Money
from chassis.testing import eventually
from contracts.campaigns import (
    BargainCompleted,
    GroupCompleted,
    GroupFailed,
    GroupMemberOrder,
    GroupOpened,
)

pytestmark = pytest.mark.asyncio

ORDERS = "/api/v1/orders/orders"
PLACED = "flywheel.orders.order.placed.v1"
CANCELLED = "flywheel.orders.order.cancelled.v1"
REFUNDED = "flywheel.orders.refund.completed.v1"
PARCEL = {"carrier": "SF Express", "tracking_number": "SF1"}


def _cny(amount: int) -> Money:
    return Money(amount=amount, currency="CNY")


async def _group(trade, sku: str, price: int = 1500) -> UUID:
    """Campaigns opens a group on the SKU; orders knows it once it consumed group.opened."""
    group_id = new_id()
    opened = await trade.reply(
        GroupOpened(
            group_id=group_id,
            template_id=new_id(),
            sku_id=UUID(sku),
            group_price=_cny(price),
            size=3,
            leader_id=new_id(),
            code="ABCDEFGH",
            expires_at=now() + timedelta(hours=1),
        )
    )
    await _applied(trade, opened)
    return group_id


async def _applied(trade, event) -> None:
    await eventually(lambda: trade.applied(event), within=20)


def _members(*pairs) -> list[GroupMemberOrder]:
    return [GroupMemberOrder(customer_id=UUID(c), order_id=UUID(o)) for c, o in pairs]


async def test_a_failed_group_cancels_its_orders_and_refunds_the_paid_once(trade):
    sku = await trade.product(1999)
    group_id = await _group(trade, sku)
    payer_id, payer = await trade.customer()
    waiter_id, waiter = await trade.customer()
    async with payer, waiter:
        paid = await trade.place(payer, sku, 2, group_id=str(group_id))
        await trade.reserve(payer, paid)
        await trade.pay(payer, paid)
        unpaid = await trade.place(waiter, sku, 1, group_id=str(group_id))

        failed = GroupFailed(
            group_id=group_id,
            template_id=new_id(),
            sku_id=UUID(sku),
            members=_members((payer_id, paid["id"]), (waiter_id, unpaid["id"])),
            reason="expired",
            failed_at=now(),
        )
        first = await trade.reply(failed)
        refunded = await trade.order_when(payer, paid["id"], "cancelled")
        cancelled = await trade.order_when(waiter, unpaid["id"], "cancelled")
        again = await trade.reply(failed, again=first)  # redelivered
        republished = await trade.reply(failed)  # the same news, a new event id
        await _applied(trade, again)
        await _applied(trade, republished)
        refunds = (await payer.get(f"{ORDERS}/{paid['id']}/refunds")).json()
        late = await waiter.post(
            ORDERS, json={"lines": [{"sku_id": sku, "quantity": 1}], "group_id": str(group_id)}
        )

    line = paid["lines"][0]
    assert (line["list_price"], line["unit_price"], line["paid"]) == (
        _cny(1999).model_dump(),
        _cny(1500).model_dump(),
        _cny(3000).model_dump(),
    )
    (placed,) = await trade.staged(PLACED, paid["id"])
    assert placed["data"]["attribution"]["group_id"] == str(group_id)
    assert paid["group_id"] == str(group_id)
    assert refunded["history"][-1]["cause"] == "the group buy failed (expired)"
    assert cancelled["status"] == "cancelled"
    for order in (paid, unpaid):
        (event,) = await trade.staged(CANCELLED, order["id"])
        assert event["data"]["reason"] == "group_failed"
    items = refunds["items"] if isinstance(refunds, dict) else refunds
    assert [(r["amount"]["amount"], r["status"]) for r in items] == [(3000, "succeeded")]
    (refund_event,) = await trade.staged(REFUNDED, paid["id"])
    assert refund_event["data"]["amount"]["amount"] == 3000
    assert await trade.staged(REFUNDED, unpaid["id"]) == []
    assert late.status_code == 422
    assert [e["field"] for e in late.json()["errors"]] == ["body.group_id"]


async def test_a_completed_group_ships_its_members_orders_and_cancels_a_strangers(trade):
    sku = await trade.product(1999)
    group_id = await _group(trade, sku)
    member_id, member = await trade.customer()
    _, stranger = await trade.customer()
    _, operator_token = await trade.platform.staff("operator")
    async with member, stranger, trade.platform.client("orders", operator_token) as operator:
        order = await trade.place(member, sku, 1, group_id=str(group_id))
        await trade.reserve(member, order)
        await trade.pay(member, order)
        theirs = await trade.place(stranger, sku, 1, group_id=str(group_id))
        too_early = await operator.post(f"{ORDERS}/{order['id']}/shipments", json=PARCEL)
        completed = await trade.reply(
            GroupCompleted(
                group_id=group_id,
                template_id=new_id(),
                sku_id=UUID(sku),
                group_price=_cny(1500),
                members=_members((member_id, order["id"])),
                completed_at=now(),
            )
        )
        await trade.order_when(stranger, theirs["id"], "cancelled")
        await _applied(trade, completed)
        shipped = await operator.post(f"{ORDERS}/{order['id']}/shipments", json=PARCEL)
        mine = (await member.get(f"{ORDERS}/{order['id']}")).json()
        other_sku = await trade.product(500)
        wrong_line = await member.post(
            ORDERS,
            json={"lines": [{"sku_id": other_sku, "quantity": 1}], "group_id": str(group_id)},
        )

    assert too_early.status_code == 409
    assert shipped.status_code == 201, shipped.text
    assert mine["status"] == "shipped"
    (event,) = await trade.staged(CANCELLED, theirs["id"])
    assert (event["data"]["reason"], event["data"]["detail"]) == (
        "group_failed",
        "not a member of the group buy",
    )
    assert wrong_line.status_code == 422
    assert [e["field"] for e in wrong_line.json()["errors"]] == ["body.lines"]


async def test_a_bargain_is_ordered_once_by_its_starter_at_the_floor(trade):
    sku = await trade.product(1999)
    starter_id, starter = await trade.customer()
    _, friend = await trade.customer()
    bargain_id = new_id()
    reached = await trade.reply(
        BargainCompleted(
            bargain_id=bargain_id,
            template_id=new_id(),
            sku_id=UUID(sku),
            starter_id=UUID(starter_id),
            floor_price=_cny(100),
            order_until=now() + timedelta(hours=1),
            completed_at=now(),
        )
    )
    await _applied(trade, reached)

    def body(quantity: int = 1) -> dict:
        return {"lines": [{"sku_id": sku, "quantity": quantity}], "bargain_id": str(bargain_id)}

    async with starter, friend:
        by_friend = await friend.post(ORDERS, json=body())
        two = await starter.post(ORDERS, json=body(2))
        both = await starter.post(ORDERS, json={**body(), "group_id": str(new_id())})
        key = {"Idempotency-Key": str(new_id())}
        ordered = await starter.post(ORDERS, json=body(), headers=key)
        retried = await starter.post(ORDERS, json=body(), headers=key)
        second = await starter.post(ORDERS, json=body())

    assert ordered.status_code == 201, ordered.text
    # The retry of the order that took the bargain is that order again, not a refusal.
    assert (retried.status_code, retried.json()) == (201, ordered.json())
    assert retried.headers["idempotent-replayed"] == "true"
    line = ordered.json()["lines"][0]
    assert (line["list_price"]["amount"], line["unit_price"]["amount"]) == (1999, 100)
    assert ordered.json()["bargain_id"] == str(bargain_id)
    (placed,) = await trade.staged(PLACED, ordered.json()["id"])
    assert placed["data"]["attribution"]["bargain_id"] == str(bargain_id)
    fields = {
        name: [e["field"] for e in response.json()["errors"]]
        for name, response in {
            "friend": by_friend,
            "two": two,
            "both": both,
            "second": second,
        }.items()
    }
    assert fields == {
        "friend": ["body.bargain_id"],
        "two": ["body.lines.0.quantity"],
        "both": ["body.bargain_id"],
        "second": ["body.bargain_id"],
    }
