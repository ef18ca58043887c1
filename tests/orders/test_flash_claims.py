"""At most one live order per flash reservation, however many checkouts name it at once
(PostgreSQL, real concurrency): one order is placed, the others are refused (409 naming
`body.flash_reservation_id`) with nothing of theirs written; the claim goes when the order is
cancelled, and the reservation is then ordered again only while campaigns says it is held."""

import asyncio
from datetime import timedelta
from uuid import UUID

import pytest
from orders_catalog import offer_sku
from sqlalchemy import func, select

from chassis.clock import now
from chassis.events.tables import outbox
from chassis.ids import new_id
from chassis.money import Money
from contracts.orders import CancelReason
from services.orders.checkout import service as checkout
from services.orders.checkout.models import Order
from services.orders.checkout.schemas import OrderRequest
from services.orders.deals.models import FlashClaim
from services.orders.deals.rules import FlashTerms, FlashUnusable

pytestmark = pytest.mark.asyncio
CHECKOUTS = 10


def _terms(sku: UUID, status: str = "reserved") -> FlashTerms:
    """The reservation as campaigns would answer it (checkout reads it before it places)."""
    return FlashTerms(
        reservation_id=RESERVATION,
        session_id=SESSION,
        sku_id=sku,
        quantity=1,
        flash_price=Money(amount=990, currency="CNY"),
        status=status,
        expires_at=now() + timedelta(minutes=10),
    )


RESERVATION, SESSION = new_id(), new_id()


async def _place(db, customer: UUID, sku: UUID, flash: FlashTerms) -> UUID | FlashUnusable:
    request = OrderRequest(
        lines=[{"sku_id": sku, "quantity": 1}], flash_reservation_id=flash.reservation_id
    )
    try:
        async with db.session() as session, session.begin():
            order = await checkout.place_order(session, customer, request, flash=flash)
            return order.id
    except FlashUnusable as refused:
        return refused


async def test_concurrent_checkouts_naming_one_reservation_place_one_order(orders_db):
    if orders_db.is_sqlite:
        pytest.skip("SQLite lets one writer at a time; the race is PostgreSQL's")
    sku, customer = await offer_sku(orders_db, 1999), new_id()
    start = asyncio.Event()

    async def checkout_once() -> UUID | FlashUnusable:
        await start.wait()
        return await _place(orders_db, customer, sku, _terms(sku))

    racing = [asyncio.create_task(checkout_once()) for _ in range(CHECKOUTS)]
    start.set()
    results = await asyncio.gather(*racing)

    placed = [r for r in results if isinstance(r, UUID)]
    refused = [r for r in results if isinstance(r, FlashUnusable)]
    assert (len(placed), len(refused)) == (1, CHECKOUTS - 1)
    assert {(r.status, r.extra["errors"][0]["field"]) for r in refused} == {
        (409, "body.flash_reservation_id")
    }
    async with orders_db.session() as session:
        orders = await session.scalar(
            select(func.count()).select_from(Order).where(Order.customer_id == customer)
        )
        events = await session.scalar(
            select(func.count())
            .select_from(outbox)
            .where(outbox.c.type == "flywheel.orders.order.placed.v1")
        )
        claim = await session.get(FlashClaim, RESERVATION)
    assert (orders, events) == (1, 1)  # the refused wrote nothing, not even their event
    assert claim.order_id == placed[0]

    # Cancelled, the order lets the reservation go: a checkout takes it again only while
    # campaigns still says it is reserved (it reads it fresh; once it released it, a 409).
    async with orders_db.session() as session, session.begin():
        order = await checkout.locked(session, placed[0])
        assert await checkout.cancel(session, order, CancelReason.CUSTOMER, None, "a test")
    released = await _place(orders_db, customer, sku, _terms(sku, "released"))
    again = await _place(orders_db, customer, sku, _terms(sku))
    assert isinstance(released, FlashUnusable)
    assert "released" in released.detail
    assert isinstance(again, UUID)
    async with orders_db.session() as session:
        assert (await session.get(FlashClaim, RESERVATION)).order_id == again
