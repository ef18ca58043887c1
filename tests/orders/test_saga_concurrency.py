"""The order's steps under real concurrency, on SQLite and PostgreSQL: answers arriving at
once decide once, duplicate callbacks pay once, a payment racing the timeout ends in exactly
one of paid or cancelled-and-refunded, and an order ships once and is delivered once."""

import asyncio
from datetime import timedelta
from uuid import UUID

import pytest
from orders_catalog import offer_sku
from sqlalchemy import func, insert, select, update

from chassis.clock import now
from chassis.db import Database
from chassis.events.tables import inbox, outbox
from chassis.http.problems import Conflict
from chassis.ids import new_id
from services.orders.checkout import service as checkout
from services.orders.checkout.lifecycle import OrderStatus
from services.orders.checkout.models import Order
from services.orders.checkout.schemas import OrderRequest
from services.orders.fulfilment import service as fulfilment
from services.orders.fulfilment.models import Shipment
from services.orders.fulfilment.schemas import ShipmentRequest
from services.orders.payments import service as payments
from services.orders.payments.provider import SimulatedProvider
from services.orders.payments.schemas import CallbackBody
from services.orders.payments.signatures import Signed
from services.orders.refunds.models import Refund
from services.orders.saga import service as saga
from services.orders.saga.coordinator import Answer, Participant

pytestmark = pytest.mark.asyncio

WINDOW = timedelta(minutes=15)
PROVIDER = SimulatedProvider(b"secret", timedelta(minutes=5), "http://pay.test")
AWAITING = "flywheel.orders.order.awaiting_payment.v1"
PAID = "flywheel.orders.order.paid.v1"
CANCELLED = "flywheel.orders.order.cancelled.v1"


async def _order(db: Database, **request) -> Order:
    sku = await offer_sku(db, 900)
    body = OrderRequest.model_validate({"lines": [{"sku_id": str(sku), "quantity": 2}], **request})
    async with db.session() as session, session.begin():
        return await checkout.place_order(session, new_id(), body)


async def _answer(db: Database, order_id: UUID, participant: Participant) -> None:
    """As the consumer applies a reply: its inbox row first, then the handler, one transaction."""
    async with db.session() as session, session.begin():
        await session.execute(
            insert(inbox).values(
                consumer_group="orders",
                event_id=new_id(),
                event_type="test.answer",
                processed_at=now(),
            )
        )
        await saga.answer(
            session,
            order_id,
            participant,
            Answer(True),
            cause=str(participant),
            payment_window=WINDOW,
        )


async def _staged(db: Database, type_: str, order_id: UUID) -> int:
    async with db.session() as session:
        query = select(func.count()).where(outbox.c.type == type_, outbox.c.key == str(order_id))
        return await session.scalar(query)


async def _status(db: Database, order_id: UUID) -> OrderStatus:
    async with db.session() as session:
        return await session.scalar(select(Order.status).where(Order.id == order_id))


async def _awaiting(db: Database) -> Order:
    order = await _order(db)
    await _answer(db, order.id, Participant.STOCK)
    return order


async def _payment(db: Database, order: Order) -> CallbackBody:
    async with db.session() as session, session.begin():
        payment = await payments.open_payment(session, order.id, order.customer_id, PROVIDER)
    return CallbackBody(
        payment_id=payment.id, order_id=order.id, amount=payment.amount, reference=payment.reference
    )


async def _callback(db: Database, body: CallbackBody, nonce: str) -> str:
    try:
        async with db.session() as session, session.begin():
            outcome = await payments.apply_callback(session, body, Signed(nonce, now()), PROVIDER)
        return str(outcome.order_status)
    except Conflict:
        return "refused"


async def test_answers_arriving_at_once_decide_once(db):
    orders = [await _order(db, coupon_ids=[str(new_id())], points=50) for _ in range(5)]

    await asyncio.gather(
        *(
            _answer(db, order.id, participant)
            for order in orders
            for participant in Participant
            for _ in range(2)  # and each answer twice, as a participant's own retry would
        )
    )

    for order in orders:
        assert await _status(db, order.id) == OrderStatus.AWAITING_PAYMENT
        assert await _staged(db, AWAITING, order.id) == 1


async def test_concurrent_callbacks_pay_once_and_a_nonce_is_spent_once(db):
    order = await _awaiting(db)
    body = await _payment(db, order)

    same_nonce = await asyncio.gather(*(_callback(db, body, "n-1") for _ in range(10)))
    new_nonces = await asyncio.gather(*(_callback(db, body, f"n-{i}") for i in range(2, 12)))

    assert sorted(same_nonce) == ["paid"] + ["refused"] * 9
    assert new_nonces == ["paid"] * 10
    assert await _staged(db, PAID, order.id) == 1


async def test_a_payment_racing_the_timeout_ends_paid_or_refunded_never_both(db):
    orders = [await _awaiting(db) for _ in range(6)]
    bodies = [await _payment(db, order) for order in orders]
    async with db.session() as session, session.begin():
        ids = [order.id for order in orders]
        await session.execute(
            update(Order).where(Order.id.in_(ids)).values(payment_expires_at=now())
        )

    await asyncio.gather(
        saga.expire_unpaid(db),
        *(_callback(db, body, f"race-{body.payment_id}") for body in bodies),
    )

    for order in orders:
        paid = await _staged(db, PAID, order.id)
        cancelled = await _staged(db, CANCELLED, order.id)
        async with db.session() as session:
            refunds = await session.scalar(
                select(func.count()).select_from(Refund).where(Refund.order_id == order.id)
            )
        status = await _status(db, order.id)
        assert (status, paid, cancelled, refunds) in {
            (OrderStatus.PAID, 1, 0, 0),
            (OrderStatus.CANCELLED, 0, 1, 1),
        }


async def _paid(db: Database) -> Order:
    order = await _awaiting(db)
    await _callback(db, await _payment(db, order), f"pay-{order.id}")
    return order


async def _ship(db: Database, order: Order) -> str:
    parcel = ShipmentRequest(carrier="SF", tracking_number="SF1")
    try:
        async with db.session() as session, session.begin():
            await fulfilment.ship(session, order.id, parcel, new_id())
        return "shipped"
    except Conflict:
        return "refused"


async def _receive(db: Database, order: Order) -> str:
    try:
        async with db.session() as session, session.begin():
            await fulfilment.confirm_receipt(session, order.id, order.customer_id)
        return "delivered"
    except Conflict:
        return "refused"


async def test_a_paid_order_ships_once_and_is_delivered_once(db):
    order = await _paid(db)

    shipped = await asyncio.gather(*(_ship(db, order) for _ in range(8)))
    async with db.session() as session, session.begin():
        await session.execute(
            update(Order).where(Order.id == order.id).values(shipped_at=now() - timedelta(days=30))
        )
    delivered = await asyncio.gather(
        fulfilment.deliver_overdue(db, timedelta(days=10)),
        *(_receive(db, order) for _ in range(8)),
    )

    assert sorted(shipped) == ["refused"] * 7 + ["shipped"]
    async with db.session() as session:
        shipments = await session.scalar(
            select(func.count()).select_from(Shipment).where(Shipment.order_id == order.id)
        )
    assert shipments == 1
    assert await _staged(db, "flywheel.orders.order.shipped.v1", order.id) == 1
    by_customer = delivered[1:].count("delivered")
    assert by_customer + delivered[0] == 1
    assert await _staged(db, "flywheel.orders.order.delivered.v1", order.id) == 1
    assert await _status(db, order.id) == OrderStatus.DELIVERED
