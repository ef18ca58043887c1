"""Refunds through the real broker: goods that come back resaleable return to the catalog's
stock once, however often the refund is delivered; a refund without them leaves stock alone."""

from uuid import UUID

import publishing
from stocked import CNY, INVENTORY, PRODUCTS, listed_with_stock

from chassis.clock import now
from chassis.events.envelope import CloudEvent
from chassis.events.outbox import envelope_for
from chassis.ids import new_id
from chassis.testing import eventually
from contracts.orders import OrderLine, OrderPaid, OrderPlaced, RefundCompleted, RefundedLine


def _orders(data) -> CloudEvent:
    return envelope_for(data, source="/flywheel/orders")


def _refund(order: OrderPlaced, refund_id: UUID, quantity: int, *, restock: bool):
    return _orders(
        RefundCompleted(
            refund_id=refund_id,
            order_id=order.order_id,
            customer_id=order.customer_id,
            lines=[RefundedLine(sku_id=order.lines[0].sku_id, quantity=quantity, amount=CNY)],
            amount=CNY,
            restock=restock,
            completed_at=now(),
        )
    )


async def test_a_resaleable_return_restocks_once_under_redelivery(platform, operators):
    sku = await listed_with_stock(platform, operators, 5)
    line = OrderLine(sku_id=UUID(sku), quantity=3, list_price=CNY, unit_price=CNY, paid=CNY)
    order = OrderPlaced(
        order_id=new_id(), customer_id=new_id(), lines=[line], total=CNY, placed_at=now()
    )
    paid = OrderPaid(
        order_id=order.order_id,
        customer_id=order.customer_id,
        lines=order.lines,
        total=CNY,
        paid_at=now(),
    )
    first, last = new_id(), new_id()
    delivered = _refund(order, first, 1, restock=True)
    await publishing.publish(platform, _orders(order), _orders(paid))
    # Refunds travel on their own topic, so nothing orders them after the sale: here they
    # are sent once the sale is in (the next test sends one before it).
    async with platform.client("catalog", operators[0]) as catalog:

        async def sold():
            ledger = (await catalog.get(f"{INVENTORY}/skus/{sku}/ledger")).json()["items"]
            return ledger[0]["reason"] == "sale"

        await eventually(sold, within=30)
    await publishing.publish(
        platform,
        delivered,
        delivered,  # the same event twice: the inbox absorbs it
        _refund(order, first, 1, restock=True),  # the same refund, another event: the ledger
        _refund(order, new_id(), 1, restock=False),  # damaged goods: money only
        _refund(order, last, 1, restock=True),
    )

    async with platform.client("catalog", operators[0]) as catalog:

        async def returned():
            ledger = (await catalog.get(f"{INVENTORY}/skus/{sku}/ledger")).json()["items"]
            return ledger if ledger[0]["refund_id"] == str(last) else None

        ledger = await eventually(returned, within=30)
        stock = (await catalog.get(f"{INVENTORY}/skus/{sku}")).json()
    # The refunds of one order arrive in order: once the last is in, so is every other.
    assert [(e["reason"], e["delta"], e["refund_id"]) for e in ledger] == [
        ("return", 1, str(last)),
        ("return", 1, str(first)),
        ("sale", -3, None),
        ("receipt", 5, None),
    ]
    assert (stock["on_hand"], stock["reserved"], stock["available"]) == (4, 0, 4)
    assert sum(e["delta"] for e in ledger) == stock["on_hand"]


async def test_a_refund_handled_before_its_sale_restocks_once_the_sale_is_in(platform, operators):
    """Refunds travel on their own topic: one the catalog takes before the order's sale (both
    queued while it was down, say) waits for the sale, then restocks once."""
    sku = await listed_with_stock(platform, operators, 5)
    line = OrderLine(sku_id=UUID(sku), quantity=3, list_price=CNY, unit_price=CNY, paid=CNY)
    order = OrderPlaced(
        order_id=new_id(), customer_id=new_id(), lines=[line], total=CNY, placed_at=now()
    )
    paid = _orders(
        OrderPaid(
            order_id=order.order_id,
            customer_id=order.customer_id,
            lines=order.lines,
            total=CNY,
            paid_at=now(),
        )
    )
    first, last = new_id(), new_id()
    refund = _refund(order, first, 2, restock=True)
    returns = f"{INVENTORY}/orders/{order.order_id}/returns"
    await publishing.publish(
        platform,
        refund,
        refund,  # redelivered
        _refund(order, first, 2, restock=True),  # the same refund, another event id
    )
    async with platform.client("catalog", operators[0]) as catalog:

        async def taken(count: int):
            found = (await catalog.get(returns)).json()
            return found if len(found) == count else None

        # In the catalog before the order is: nothing to count it against yet.
        assert [r["state"] for r in await eventually(lambda: taken(1), within=30)] == ["pending"]
        await publishing.publish(
            platform,
            _orders(order),
            paid,
            paid,  # redelivered
        )

        async def counted(count: int):
            found = (await catalog.get(returns)).json()
            done = len(found) == count and all(r["state"] == "settled" for r in found)
            return found if done else None

        # The sale settles the refund that waited for it (nothing else comes to do it).
        await eventually(lambda: counted(1), within=30)
        await publishing.publish(platform, _refund(order, last, 1, restock=False))  # damaged
        settled = await eventually(lambda: counted(2), within=30)
        ledger = (await catalog.get(f"{INVENTORY}/skus/{sku}/ledger")).json()["items"]
        stock = (await catalog.get(f"{INVENTORY}/skus/{sku}")).json()
        product = (await catalog.get(f"{PRODUCTS}/{sku}")).json()
    assert [(r["refund_id"], r["quantity"], r["counted"], r["resaleable"]) for r in settled] == [
        (str(first), 2, 2, True),
        (str(last), 1, 1, False),
    ]
    assert [(e["reason"], e["delta"], e["refund_id"]) for e in ledger] == [
        ("return", 2, str(first)),
        ("sale", -3, None),
        ("receipt", 5, None),
    ]
    assert (stock["on_hand"], stock["reserved"], stock["available"]) == (4, 0, 4)
    assert product["units_sold"] == 0  # 3 ordered, 2 back resaleable, 1 broken
