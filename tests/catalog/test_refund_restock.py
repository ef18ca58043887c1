"""Refunds through the real broker: goods that come back resaleable return to the catalog's
stock once, however often the refund is delivered; a refund without them leaves stock alone."""

from uuid import UUID

import publishing
import pytest

from chassis.clock import now
from chassis.events.envelope import CloudEvent
from chassis.events.outbox import envelope_for
from chassis.ids import new_id
from chassis.money import Money
from chassis.testing import eventually
from contracts.orders import OrderLine, OrderPaid, OrderPlaced, RefundCompleted, RefundedLine

PRODUCTS = "/api/v1/catalog/products"
INVENTORY = "/api/v1/catalog/inventory"
CNY = Money(amount=1500, currency="CNY")


@pytest.fixture(scope="module")
async def operators(platform) -> tuple[str, str]:
    (_, first), (_, second) = [await platform.staff("operator") for _ in range(2)]
    return first, second


async def _listed_with_stock(platform, operators, on_hand: int) -> str:
    submitter, reviewer = operators
    async with platform.client("catalog", submitter) as catalog:
        created = await catalog.post(
            PRODUCTS, json={"name": f"Mug {new_id().hex[-6:]}", "price": CNY.model_dump()}
        )
        sku = created.json()["id"]
        await catalog.post(f"{PRODUCTS}/{sku}/submit")
        await catalog.post(
            f"{INVENTORY}/skus/{sku}/adjustments", json={"delta": on_hand, "reason": "receipt"}
        )
    async with platform.client("catalog", reviewer) as catalog:
        assert (await catalog.post(f"{PRODUCTS}/{sku}/approve")).status_code == 200
    return sku


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
    sku = await _listed_with_stock(platform, operators, 5)
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
    # Refunds travel on their own topic, so nothing orders them after the sale: they are
    # sent once the sale is in, as a refund always comes after its payment.
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
