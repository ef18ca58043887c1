"""Flash stock through the real broker: campaigns' session scheduled (delivered twice) holds
the stock once, a flash order draws from the hold, the end (delivered twice) returns the
unsold once; an order carrying its flash session draws from the hold without waiting for
`flash.reserved`, once however often it and `flash.reserved` arrive, in either order; a session
asking for more than is available is refused with what there is."""

from datetime import timedelta
from uuid import UUID

import publishing
from sqlalchemy import select
from stocked import CNY, INVENTORY, listed_with_stock

from chassis.clock import now
from chassis.db import Database
from chassis.events.envelope import CloudEvent
from chassis.events.outbox import envelope_for
from chassis.events.tables import inbox
from chassis.ids import new_id
from chassis.money import Money
from chassis.testing import eventually
from contracts.campaigns import (
    FlashItemStock,
    FlashReserved,
    FlashSessionEnded,
    FlashSessionScheduled,
)
from contracts.orders import Attribution, OrderLine, OrderPaid, OrderPlaced
from services.catalog.inventory.models import FlashReservationRef

FLASH_PRICE = Money(amount=990, currency="CNY")


def _campaigns(data) -> CloudEvent:
    return envelope_for(data, source="/flywheel/campaigns")


def _orders(data) -> CloudEvent:
    return envelope_for(data, source="/flywheel/orders")


def _reservation_id() -> UUID:
    """A reservation taken two minutes ago, unknown to the platform's campaigns, which takes
    these orders too: an id older than its write-down wait is refused at once there, where a
    fresh one would be retried for a minute, holding back its share of every test's orders."""
    return new_id(now() - timedelta(minutes=2))


def _scheduled(session_id: UUID, sku: str, quantity: int) -> FlashSessionScheduled:
    return FlashSessionScheduled(
        session_id=session_id,
        items=[FlashItemStock(sku_id=UUID(sku), quantity=quantity)],
        starts_at=now(),
        ends_at=now() + timedelta(hours=1),
    )


async def _published(platform, operator_token, type_: str, subject: UUID) -> list[dict]:
    async def recorded():
        async with platform.client("analytics", operator_token) as analytics:
            response = await analytics.get(
                "/api/v1/analytics/events", params={"type": type_, "subject": str(subject)}
            )
        return response.json()["items"]

    return await eventually(recorded, within=30)


async def test_a_flash_session_holds_stock_its_orders_draw_and_the_end_returns_once(
    platform, operators, operator_token
):
    sku = await listed_with_stock(platform, operators, 10, "Flask")
    session_id, customer = new_id(), new_id()
    scheduled = _campaigns(_scheduled(session_id, sku, 6))
    reservation = FlashReserved(
        reservation_id=_reservation_id(),
        session_id=session_id,
        sku_id=UUID(sku),
        customer_id=customer,
        quantity=2,
        flash_price=FLASH_PRICE,
        expires_at=now() + timedelta(minutes=15),
    )
    await publishing.publish(
        platform,
        scheduled,
        scheduled,  # redelivered: the inbox absorbs it
        _campaigns(_scheduled(session_id, sku, 6)),  # republished: the hold's key does
        _campaigns(reservation),
    )
    catalog_db = platform.servers["catalog"].app.state.db
    db = Database(catalog_db.url.render_as_string(hide_password=False), service="catalog")
    try:

        async def known():
            async with db.session() as session:
                return await session.get(FlashReservationRef, reservation.reservation_id)

        # The reservation travels under its own key: the order waits until catalog has it.
        await eventually(known, within=30)
    finally:
        await db.dispose()
    async with platform.client("catalog", operators[0]) as catalog:

        async def held():
            holds = (await catalog.get(f"{INVENTORY}/flash-sessions/{session_id}/holds")).json()
            return holds or None

        (hold,) = await eventually(held, within=30)
        stock = (await catalog.get(f"{INVENTORY}/skus/{sku}")).json()
    assert (hold["state"], hold["quantity"], hold["drawn"]) == ("held", 6, 0)
    assert (stock["on_hand"], stock["reserved"], stock["held"], stock["available"]) == (
        10,
        0,
        6,
        4,
    )
    (answer,) = await _published(
        platform, operator_token, "flywheel.catalog.flash_stock.held.v1", session_id
    )
    assert (answer["data"]["sku_id"], answer["data"]["quantity"]) == (sku, 6)

    line = OrderLine(
        sku_id=UUID(sku), quantity=2, list_price=CNY, unit_price=FLASH_PRICE, paid=FLASH_PRICE
    )
    order = OrderPlaced(
        order_id=new_id(),
        customer_id=customer,
        lines=[line],
        total=FLASH_PRICE,
        attribution=Attribution(flash_reservation_id=reservation.reservation_id),
        placed_at=now(),
    )
    paid = OrderPaid(
        order_id=order.order_id,
        customer_id=customer,
        lines=order.lines,
        total=FLASH_PRICE,
        attribution=order.attribution,
        paid_at=now(),
    )
    await publishing.publish(platform, _orders(order), _orders(paid))
    async with platform.client("catalog", operators[0]) as catalog:

        async def sold():
            ledger = (await catalog.get(f"{INVENTORY}/skus/{sku}/ledger")).json()["items"]
            return ledger[0]["reason"] == "sale"

        await eventually(sold, within=30)
        reserved = (await catalog.get(f"{INVENTORY}/reservations/{order.order_id}")).json()
        stock = (await catalog.get(f"{INVENTORY}/skus/{sku}")).json()
    assert reserved["lines"] == [
        {"sku_id": sku, "quantity": 2, "flash_session_id": str(session_id), "from_hold": 2}
    ]
    # Sold from the hold: on-hand down by 2, what others may buy untouched.
    assert (stock["on_hand"], stock["reserved"], stock["held"], stock["available"]) == (
        8,
        0,
        4,
        4,
    )

    ended = _campaigns(FlashSessionEnded(session_id=session_id, ended_at=now()))
    await publishing.publish(
        platform,
        ended,
        ended,
        _campaigns(FlashSessionEnded(session_id=session_id, ended_at=now())),
    )
    (returned,) = await _published(
        platform, operator_token, "flywheel.catalog.flash_stock.returned.v1", session_id
    )
    assert (returned["data"]["held"], returned["data"]["sold"], returned["data"]["returned"]) == (
        6,
        2,
        4,
    )
    async with platform.client("catalog", operators[0]) as catalog:
        stock = (await catalog.get(f"{INVENTORY}/skus/{sku}")).json()
        ledger = (await catalog.get(f"{INVENTORY}/skus/{sku}/ledger")).json()["items"]
        (hold,) = (await catalog.get(f"{INVENTORY}/flash-sessions/{session_id}/holds")).json()
    assert (stock["on_hand"], stock["reserved"], stock["held"], stock["available"]) == (
        8,
        0,
        0,
        8,
    )
    assert [(e["reason"], e["delta"], e["held"]) for e in ledger] == [
        ("flash_return", 0, -4),
        ("sale", -2, 0),
        ("flash_hold", 0, 6),
        ("receipt", 10, 0),
    ]
    assert sum(e["delta"] for e in ledger) == stock["on_hand"]
    assert (hold["state"], hold["drawn"], hold["returned"]) == ("ended", 2, 4)


async def test_a_session_asking_more_than_is_available_is_refused(
    platform, operators, operator_token
):
    sku = await listed_with_stock(platform, operators, 3, "Flask")
    session_id = new_id()
    await publishing.publish(platform, _campaigns(_scheduled(session_id, sku, 5)))
    (refused,) = await _published(
        platform, operator_token, "flywheel.catalog.flash_stock.refused.v1", session_id
    )
    assert (refused["data"]["requested"], refused["data"]["available"]) == (5, 3)
    async with platform.client("catalog", operators[0]) as catalog:
        stock = (await catalog.get(f"{INVENTORY}/skus/{sku}")).json()
        (hold,) = (await catalog.get(f"{INVENTORY}/flash-sessions/{session_id}/holds")).json()
    assert (stock["held"], stock["available"]) == (0, 3)
    assert (hold["state"], hold["available"]) == ("refused", 3)


async def _consumed(platform, *envelopes: CloudEvent) -> None:
    """Until the catalog has applied every one of these events (its inbox holds their ids)."""
    url = platform.servers["catalog"].app.state.db.url.render_as_string(hide_password=False)
    db = Database(url, service="probe")
    wanted = {envelope.id for envelope in envelopes}
    try:

        async def applied() -> bool:
            async with db.session() as session:
                ids = await session.scalars(
                    select(inbox.c.event_id).where(inbox.c.event_id.in_(wanted))
                )
                return set(ids) == wanted

        await eventually(applied, within=30)
    finally:
        await db.dispose()


def _flash_order(sku: str, session_id: UUID, reservation_id: UUID, quantity: int) -> OrderPlaced:
    """An order of the flash SKU, carrying its reservation's session."""
    price = Money(amount=FLASH_PRICE.amount * quantity, currency="CNY")
    return OrderPlaced(
        order_id=new_id(),
        customer_id=new_id(),
        lines=[
            OrderLine(
                sku_id=UUID(sku),
                quantity=quantity,
                list_price=CNY,
                unit_price=FLASH_PRICE,
                paid=price,
            )
        ],
        total=price,
        attribution=Attribution(
            flash_reservation_id=reservation_id,
            flash_session_id=session_id,
            flash_sku_id=UUID(sku),
        ),
        placed_at=now(),
    )


def _reserved(order: OrderPlaced) -> FlashReserved:
    flash = order.attribution
    return FlashReserved(
        reservation_id=flash.flash_reservation_id,
        session_id=flash.flash_session_id,
        sku_id=flash.flash_sku_id,
        customer_id=order.customer_id,
        quantity=order.lines[0].quantity,
        flash_price=FLASH_PRICE,
        expires_at=now() + timedelta(minutes=15),
    )


async def test_an_order_carrying_its_flash_session_draws_the_hold_once(
    platform, operators, operator_token
):
    sku = await listed_with_stock(platform, operators, 10, "Flask")
    session_id = new_id()
    scheduled = _campaigns(_scheduled(session_id, sku, 6))
    await publishing.publish(platform, scheduled)
    await _consumed(platform, scheduled)
    # Before flash.reserved: the order draws by the session it carries; delivered twice and
    # republished (another event id), then flash.reserved arrives.
    early = _flash_order(sku, session_id, _reservation_id(), 2)
    placed = _orders(early)
    republished = _orders(early)
    late_reservation = _campaigns(_reserved(early))
    await publishing.publish(platform, placed, placed, republished, late_reservation)
    await _consumed(platform, placed, republished, late_reservation)
    # After flash.reserved: both paths know the session; the order still draws once.
    later = _flash_order(sku, session_id, _reservation_id(), 1)
    reservation_first = _campaigns(_reserved(later))
    await publishing.publish(platform, reservation_first)
    await _consumed(platform, reservation_first)
    after = _orders(later)
    await publishing.publish(platform, after, after)
    await _consumed(platform, after)

    async with platform.client("catalog", operators[0]) as catalog:
        lines = [
            (await catalog.get(f"{INVENTORY}/reservations/{order.order_id}")).json()["lines"]
            for order in (early, later)
        ]
        (hold,) = (await catalog.get(f"{INVENTORY}/flash-sessions/{session_id}/holds")).json()
        stock = (await catalog.get(f"{INVENTORY}/skus/{sku}")).json()
    assert lines == [
        [{"sku_id": sku, "quantity": 2, "flash_session_id": str(session_id), "from_hold": 2}],
        [{"sku_id": sku, "quantity": 1, "flash_session_id": str(session_id), "from_hold": 1}],
    ]
    assert (hold["state"], hold["quantity"], hold["drawn"]) == ("held", 6, 3)
    # Drawn from the hold: reserved up by 3, held down by 3, what others may buy untouched.
    assert (stock["on_hand"], stock["reserved"], stock["held"], stock["available"]) == (
        10,
        3,
        3,
        4,
    )
