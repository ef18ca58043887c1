"""Inventory operations: stock levels, the ledger, and the stock side of the order saga.

Every counter changes in one guarded statement (`... WHERE on_hand - reserved >= :q`), never
read-modify-write, and the table's checks back it. The saga's steps run inside the consumer's
transaction (its inbox row commits with them), so they never commit themselves; the routes
and the expiry sweeper do."""

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import NamedTuple
from uuid import UUID

from sqlalchemy import case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.db import Database, insert_for, insert_if_absent, lock_until_commit
from chassis.events import EventData, outbox
from chassis.http.problems import Conflict, InvalidInput, NotFound
from chassis.ids import new_id
from contracts.catalog import (
    FlashStockHeld,
    FlashStockRefused,
    FlashStockReturned,
    RejectedLine,
    StockConfirmed,
    StockLine,
    StockLow,
    StockOut,
    StockRejected,
    StockReleased,
    StockReserved,
    StockRestocked,
)
from contracts.orders import OrderPlaced
from services.catalog.inventory import stock
from services.catalog.inventory.models import (
    FlashHold,
    FlashReservationRef,
    HoldState,
    LedgerEntry,
    LedgerReason,
    Reservation,
    ReservationLine,
    ReservationState,
    ReturnState,
    SkuReturn,
    StockLevel,
)
from services.catalog.products.listing import ListingState
from services.catalog.products.models import Product, Sku

log = logging.getLogger(__name__)

# The advisory lock space of orders: a refund and the sale (or release) of its order queue.
ORDER_LOCK = 7_302_031

MAX_ON_HAND = 1_000_000_000  # well inside the 32-bit counters: an absurd count is refused

_AFTER = (
    StockLevel.sku_id,
    StockLevel.on_hand,
    StockLevel.reserved,
    StockLevel.held,
    StockLevel.low_stock_threshold,
)

# What can still be sold: neither reserved for an order nor held for a flash session.
AVAILABLE = StockLevel.on_hand - StockLevel.reserved - StockLevel.held


class FlashDraw(NamedTuple):
    """An order's flash reservation: up to `quantity` units of `sku_id` come out of the hold
    of flash session `session_id` instead of the general stock."""

    session_id: UUID
    sku_id: UUID
    quantity: int


def _available(row) -> int:
    return row.on_hand - row.reserved - row.held


def open_stock(
    session: AsyncSession, sku_id: UUID, on_hand: int, threshold: int, by: UUID
) -> StockLevel:
    """The stock of a new SKU, and its ledger's first entry (within the caller's transaction)."""
    level = StockLevel(
        sku_id=sku_id, on_hand=on_hand, reserved=0, held=0, low_stock_threshold=threshold
    )
    session.add(level)
    if on_hand:
        session.add(
            LedgerEntry(sku_id=sku_id, delta=on_hand, reason=LedgerReason.INITIAL, created_by=by)
        )
    return level


async def levels(session: AsyncSession, sku_ids: Iterable[UUID]) -> dict[UUID, StockLevel]:
    ids = list(sku_ids)
    if not ids:
        return {}
    rows = await session.scalars(select(StockLevel).where(StockLevel.sku_id.in_(ids)))
    return {level.sku_id: level for level in rows}


async def level(session: AsyncSession, sku_id: UUID) -> StockLevel:
    found = await session.get(StockLevel, sku_id)
    if found is None:
        raise NotFound(f"No SKU {sku_id}.")
    return found


# --- the order saga ----------------------------------------------------------------------


async def reserve(
    session: AsyncSession,
    order_id: UUID,
    lines: Iterable[tuple[UUID, int]],
    ttl: timedelta,
    flash: FlashDraw | None = None,
) -> StockReserved | StockRejected | None:
    """Reserve every line of an order, or none: a line that cannot be had (not enough
    available, unknown SKU, product not listed) rejects the order with the failing lines, and
    what the others took is given back in the same transaction. None if the order was
    answered before. With `flash`, the flash SKU's units come out of the session's hold
    while it has them (what it lacks, from the general stock)."""
    if await session.get(Reservation, order_id) is not None:
        return None
    wanted = stock.merge_lines(lines)
    at = now()
    # The reservation's rows go in before the stock rows are locked: on a hot SKU every
    # reservation queues for its row lock, so what a transaction does while holding it (the
    # guarded update, the event, the commit) is what bounds reservations per second.
    reservation, recorded = _record(session, order_id, at, at + ttl, wanted)
    await session.flush()
    taken: dict[UUID, tuple] = {}
    drawn: dict[UUID, int] = {}
    failed: list[UUID] = []
    for sku_id, quantity in wanted.items():
        from_hold = 0
        if flash is not None and flash.sku_id == sku_id:
            want = min(quantity, flash.quantity)
            if await _draw(session, flash.session_id, sku_id, want):
                from_hold = want
        # Drawn units move from held to reserved (available stays); the rest comes out of
        # what is available, in the same guarded statement.
        row = (
            await session.execute(
                _guarded(StockLevel)
                .where(
                    StockLevel.sku_id == sku_id,
                    StockLevel.held >= from_hold,
                    quantity - from_hold <= AVAILABLE,
                    StockLevel.sku_id.in_(_listed_skus()),
                )
                .values(reserved=StockLevel.reserved + quantity, held=StockLevel.held - from_hold)
                .returning(*_AFTER)
            )
        ).one_or_none()
        if row is None:
            if from_hold:
                await _undraw(session, flash.session_id, sku_id, from_hold)
            failed.append(sku_id)
            continue
        taken[sku_id] = row
        if from_hold:
            drawn[sku_id] = from_hold
            line = recorded[sku_id]
            line.flash_session_id, line.from_hold = flash.session_id, from_hold
    if failed:
        # A refund that came first waits for this order's sale, which will never come.
        await _lock_order(session, order_id)
        await _void_returns(session, order_id)
        for sku_id in taken:
            if sku_id in drawn:
                await _undraw(session, flash.session_id, sku_id, drawn[sku_id])
            await _give_back(session, sku_id, wanted[sku_id], to_held=drawn.get(sku_id, 0))
        rejected = StockRejected(
            order_id=order_id,
            lines=[
                RejectedLine(sku_id=sku_id, requested=wanted[sku_id], available=available)
                for sku_id, available in (await _sellable(session, failed)).items()
            ],
        )
        reservation.state, reservation.expires_at, reservation.settled_at = (
            ReservationState.REJECTED,
            at,
            at,
        )
        await outbox.add(session, rejected)
        return rejected
    reserved = StockReserved(
        order_id=order_id,
        lines=[StockLine(sku_id=s, quantity=q) for s, q in wanted.items()],
        expires_at=reservation.expires_at,
    )
    await outbox.add(session, reserved)
    await _signal(
        session,
        [(row, _available(row) + wanted[s] - drawn.get(s, 0)) for s, row in taken.items()],
    )
    return reserved


async def confirm(session: AsyncSession, order_id: UUID) -> StockConfirmed | None:
    """A paid order's reservation becomes a sale: on-hand and reserved go down by what the
    reservation holds, recorded in the ledger. A reservation that expired is not confirmed
    (it is released, if the sweeper has not yet); one confirmed or released before: None."""
    await _lock_order(session, order_id)  # before the state it reads: see record_refund
    at = now()
    held = await session.execute(
        _guarded(Reservation)
        .where(
            Reservation.order_id == order_id,
            Reservation.state == ReservationState.HELD,
            Reservation.expires_at > at,
        )
        .values(state=ReservationState.CONFIRMED, settled_at=at)
    )
    if held.rowcount != 1:
        if await release(session, order_id, expired=True, before=at):
            log.warning("order %s paid after its reservation expired: released", order_id)
        return None
    lines = await _lines(session, order_id)
    for line in lines:
        done = await session.execute(
            _guarded(StockLevel)
            .where(StockLevel.sku_id == line.sku_id, StockLevel.reserved >= line.quantity)
            .values(
                on_hand=StockLevel.on_hand - line.quantity,
                reserved=StockLevel.reserved - line.quantity,
            )
        )
        if done.rowcount != 1:  # the checks make this unreachable; fail loudly if not
            raise RuntimeError(f"reservation of order {order_id} not held on {line.sku_id}")
        session.add(
            LedgerEntry(
                sku_id=line.sku_id,
                delta=-line.quantity,
                reason=LedgerReason.SALE,
                order_id=order_id,
                created_at=at,
            )
        )
    await session.flush()
    await _settle_returns(session, order_id)  # refunds that came before the sale
    confirmed = StockConfirmed(
        order_id=order_id, lines=[StockLine(sku_id=x.sku_id, quantity=x.quantity) for x in lines]
    )
    await outbox.add(session, confirmed)
    return confirmed


async def release(
    session: AsyncSession, order_id: UUID, *, expired: bool, before: datetime | None = None
) -> StockReleased | None:
    """Give back what an order's reservation holds, once: the state change from `held` is the
    guard, so a redelivered cancellation (or a cancellation racing the expiry) gives back
    nothing more. With `before`, only a reservation that expired by then is released."""
    await _lock_order(session, order_id)
    at = now()
    guard = [Reservation.order_id == order_id, Reservation.state == ReservationState.HELD]
    if before is not None:
        guard.append(Reservation.expires_at <= before)
    held = await session.execute(
        _guarded(Reservation)
        .where(*guard)
        .values(state=ReservationState.RELEASED, settled_at=at, expired=expired)
    )
    if held.rowcount != 1:
        return None
    await _void_returns(session, order_id)
    lines = await _lines(session, order_id)
    rows = []
    for x in lines:
        # A flash line goes back to its session's hold while the session runs (campaigns
        # gives the units back to the session too), to available stock once it has ended.
        to_held = 0
        if x.from_hold and await _undraw(session, x.flash_session_id, x.sku_id, x.from_hold):
            to_held = x.from_hold
        row = await _give_back(session, x.sku_id, x.quantity, to_held=to_held)
        rows.append((row, x.quantity - to_held))
    released = StockReleased(
        order_id=order_id,
        lines=[StockLine(sku_id=x.sku_id, quantity=x.quantity) for x in lines],
        expired=expired,
    )
    await outbox.add(session, released)
    await _signal(session, [(row, _available(row) - q) for row, q in rows])
    return released


async def release_expired(db: Database, *, batch: int = 100) -> int:
    """Release reservations whose time ran out, each in its own transaction (the
    scheduler's job); returns how many were released."""
    async with db.session() as session:
        due = list(
            await session.scalars(
                select(Reservation.order_id)
                .where(Reservation.state == ReservationState.HELD, Reservation.expires_at <= now())
                .order_by(Reservation.expires_at)
                .limit(batch)
            )
        )
    released = 0
    for order_id in due:
        async with db.session() as session, session.begin():
            if await release(session, order_id, expired=True, before=now()):
                released += 1
    return released


async def record_refund(
    session: AsyncSession,
    refund_id: UUID,
    order_id: UUID,
    lines: Iterable[tuple[UUID, int]],
    *,
    resaleable: bool,
) -> dict[UUID, int]:
    """Units a refund says came back (within the consumer's transaction), once per refund
    and SKU (the key of `sku_returns`, not a lookup first). Counted against the order's sale
    at once if the catalog has it; kept pending if not yet (refunds travel on their own topic,
    so nothing orders them after the sale), to be counted when it comes (`confirm`); void if
    the order was never sold. Returns the units put back on hand per SKU now."""
    wanted = stock.merge_lines(lines)
    await _lock_order(session, order_id)
    # Read under the order's lock: a sale (or a release) either committed before, and is
    # seen here, or waits for this transaction and then finds its pending returns.
    state = await session.scalar(select(Reservation.state).where(Reservation.order_id == order_id))
    known = set(await session.scalars(select(Sku.id).where(Sku.id.in_(list(wanted)))))
    at = now()
    for sku_id, quantity in wanted.items():
        if sku_id not in known:
            log.warning("refund %s returns unknown SKU %s: not counted", refund_id, sku_id)
            continue
        await insert_if_absent(
            session,
            SkuReturn.__table__,
            refund_id=refund_id,
            sku_id=sku_id,
            order_id=order_id,
            quantity=quantity,
            resaleable=resaleable,
            state=ReturnState.PENDING,
            counted=0,
            received_at=at,
        )  # present already: the same refund again, which settles nothing twice
    if state == ReservationState.CONFIRMED:
        return await _settle_returns(session, order_id)
    if state in (ReservationState.RELEASED, ReservationState.REJECTED):
        await _void_returns(session, order_id)
        return {}
    log.info("refund %s of order %s came before its sale: pending", refund_id, order_id)
    return {}


async def _settle_returns(session: AsyncSession, order_id: UUID) -> dict[UUID, int]:
    """Count the order's pending returns against its sale (the caller holds the order's
    lock, and the sale is in the ledger): never more of a SKU than the order bought less what
    came back before. Resaleable units go back on hand, as a `return` in the ledger naming
    the refund; the product's `units_sold` goes down by what is counted."""
    pending = list(
        (
            await session.execute(
                select(SkuReturn.refund_id, SkuReturn.sku_id, SkuReturn.quantity,
                       SkuReturn.resaleable)
                .where(SkuReturn.order_id == order_id, SkuReturn.state == ReturnState.PENDING)
                .order_by(SkuReturn.sku_id, SkuReturn.received_at, SkuReturn.refund_id)
            )
        ).all()
    )  # fmt: skip
    at = now()
    back: dict[UUID, int] = {}
    counted_of: dict[UUID, int] = {}
    for refund_id, sku_id, quantity, resaleable in pending:
        sold = -(
            await session.scalar(
                select(func.coalesce(func.sum(LedgerEntry.delta), 0)).where(
                    LedgerEntry.order_id == order_id,
                    LedgerEntry.sku_id == sku_id,
                    LedgerEntry.reason == LedgerReason.SALE,
                )
            )
        )
        returned = await session.scalar(
            select(func.coalesce(func.sum(SkuReturn.counted), 0)).where(
                SkuReturn.order_id == order_id,
                SkuReturn.sku_id == sku_id,
                SkuReturn.state == ReturnState.SETTLED,
            )
        )
        units = stock.returnable(quantity, sold - returned)
        settled = await session.execute(
            _guarded(SkuReturn)
            .where(
                SkuReturn.refund_id == refund_id,
                SkuReturn.sku_id == sku_id,
                SkuReturn.state == ReturnState.PENDING,
            )
            .values(state=ReturnState.SETTLED, counted=units, settled_at=at)
        )
        if settled.rowcount != 1:
            continue
        if units < quantity:
            log.warning(
                "refund %s returns %d of %s; order %s has %d sold and not returned: %d counted",
                refund_id, quantity, sku_id, order_id, sold - returned, units,
            )  # fmt: skip
        if units == 0:
            continue
        counted_of[sku_id] = counted_of.get(sku_id, 0) + units
        if not resaleable:
            continue
        inserted = await session.execute(
            insert_for(session, LedgerEntry.__table__)
            .values(
                id=new_id(),
                sku_id=sku_id,
                delta=units,
                reason=LedgerReason.RETURN,
                order_id=order_id,
                refund_id=refund_id,
                created_at=at,
            )
            .on_conflict_do_nothing(index_elements=["refund_id", "sku_id"])
        )
        if inserted.rowcount != 1:  # the checks make this unreachable; fail loudly if not
            raise RuntimeError(f"refund {refund_id} of {sku_id} restocked before settling")
        row = (
            await session.execute(
                _guarded(StockLevel)
                .where(StockLevel.sku_id == sku_id)
                .values(on_hand=StockLevel.on_hand + units)
                .returning(*_AFTER)
            )
        ).one()
        await _signal(session, [(row, _available(row) - units)])
        back[sku_id] = back.get(sku_id, 0) + units
    # Products after stock rows, in id order: the order placed's handler takes them in that
    # order too, so the two never deadlock.
    products = dict(
        (
            await session.execute(
                select(Sku.id, Sku.product_id).where(Sku.id.in_(list(counted_of)))
            )
        ).all()
    )
    less: dict[UUID, int] = {}
    for sku_id, units in counted_of.items():
        less[products[sku_id]] = less.get(products[sku_id], 0) + units
    for product_id, units in sorted(less.items()):
        await session.execute(
            _guarded(Product)
            .where(Product.id == product_id)
            .values(
                units_sold=case((Product.units_sold >= units, Product.units_sold - units), else_=0)
            )
        )
    return back


async def _void_returns(session: AsyncSession, order_id: UUID) -> None:
    """An order never sold (rejected, cancelled, expired) has nothing to count its returns
    against: they end void (the caller holds the order's lock)."""
    voided = await session.execute(
        _guarded(SkuReturn)
        .where(SkuReturn.order_id == order_id, SkuReturn.state == ReturnState.PENDING)
        .values(state=ReturnState.VOID, settled_at=now())
    )
    if voided.rowcount:
        log.warning("order %s was never sold: %d returns void", order_id, voided.rowcount)


async def returns_of(session: AsyncSession, order_id: UUID) -> list[SkuReturn]:
    return list(
        await session.scalars(
            select(SkuReturn)
            .where(SkuReturn.order_id == order_id)
            .order_by(SkuReturn.received_at, SkuReturn.refund_id, SkuReturn.sku_id)
        )
    )


async def reservation(session: AsyncSession, order_id: UUID) -> tuple[Reservation, list]:
    found = await session.get(Reservation, order_id)
    if found is None:
        raise NotFound(f"No reservation for order {order_id}.")
    return found, await _lines(session, order_id)


# --- flash sessions ----------------------------------------------------------------------


async def hold_for_session(
    session: AsyncSession, session_id: UUID, items: Iterable[tuple[UUID, int]]
) -> list[FlashStockHeld | FlashStockRefused]:
    """Set each SKU's flash stock aside for a session, or refuse that SKU (not enough
    available, unknown or not listed), within the consumer's transaction. The hold's key
    (session, SKU) goes in first: a scheduling redelivered, or republished under another
    event id, finds it and holds nothing twice (on PostgreSQL a racing one waits for it)."""
    at = now()
    answers: list[FlashStockHeld | FlashStockRefused] = []
    for sku_id, quantity in stock.merge_lines(items).items():
        fresh = await insert_if_absent(
            session,
            FlashHold.__table__,
            session_id=session_id,
            sku_id=sku_id,
            quantity=quantity,
            drawn=0,
            state=HoldState.HELD,
            created_at=at,
        )
        if not fresh:
            continue
        row = (
            await session.execute(
                _guarded(StockLevel)
                .where(
                    StockLevel.sku_id == sku_id,
                    quantity <= AVAILABLE,
                    StockLevel.sku_id.in_(_listed_skus()),
                )
                .values(held=StockLevel.held + quantity)
                .returning(*_AFTER)
            )
        ).one_or_none()
        if row is None:
            available = (await _sellable(session, [sku_id]))[sku_id]
            await session.execute(
                _guarded(FlashHold)
                .where(FlashHold.session_id == session_id, FlashHold.sku_id == sku_id)
                .values(state=HoldState.REFUSED, available=available)
            )
            answers.append(
                FlashStockRefused(
                    session_id=session_id,
                    sku_id=sku_id,
                    requested=quantity,
                    available=available,
                    at=at,
                )
            )
            continue
        session.add(
            LedgerEntry(
                sku_id=sku_id,
                delta=0,
                held=quantity,
                reason=LedgerReason.FLASH_HOLD,
                flash_session_id=session_id,
                created_at=at,
            )
        )
        await _signal(session, [(row, _available(row) + quantity)])
        answers.append(
            FlashStockHeld(session_id=session_id, sku_id=sku_id, quantity=quantity, at=at)
        )
    await outbox.add_all(session, answers)
    return answers


async def end_session(session: AsyncSession, session_id: UUID) -> list[FlashStockReturned]:
    """A session ended: each of its holds gives what its orders did not draw back to
    available stock, once (the state change from `held` is the guard). SKU by SKU, the hold
    before the stock row, in the order orders take them too."""
    at = now()
    sku_ids = list(
        await session.scalars(
            select(FlashHold.sku_id)
            .where(FlashHold.session_id == session_id, FlashHold.state == HoldState.HELD)
            .order_by(FlashHold.sku_id)
        )
    )
    returned_events: list[FlashStockReturned] = []
    for sku_id in sku_ids:
        ended = (
            await session.execute(
                _guarded(FlashHold)
                .where(
                    FlashHold.session_id == session_id,
                    FlashHold.sku_id == sku_id,
                    FlashHold.state == HoldState.HELD,
                )
                .values(state=HoldState.ENDED, returned=FlashHold.quantity - FlashHold.drawn,
                        ended_at=at)
                .returning(FlashHold.quantity, FlashHold.drawn, FlashHold.returned)
            )
        ).one_or_none()  # fmt: skip
        if ended is None:
            continue
        quantity, sold, returned = ended
        if returned:
            row = (
                await session.execute(
                    _guarded(StockLevel)
                    .where(StockLevel.sku_id == sku_id, StockLevel.held >= returned)
                    .values(held=StockLevel.held - returned)
                    .returning(*_AFTER)
                )
            ).one_or_none()
            if row is None:  # the checks make this unreachable; fail loudly if not
                raise RuntimeError(f"hold of session {session_id} not held on {sku_id}")
            await _signal(session, [(row, _available(row) - returned)])
        session.add(
            LedgerEntry(
                sku_id=sku_id,
                delta=0,
                held=-returned,
                reason=LedgerReason.FLASH_RETURN,
                flash_session_id=session_id,
                created_at=at,
            )
        )
        returned_events.append(
            FlashStockReturned(
                session_id=session_id,
                sku_id=sku_id,
                held=quantity,
                sold=sold,
                returned=returned,
                at=at,
            )
        )
    await outbox.add_all(session, returned_events)
    return returned_events


async def record_flash_reservation(
    session: AsyncSession, reservation_id: UUID, session_id: UUID, sku_id: UUID, quantity: int
) -> None:
    """Which session and SKU an order naming this flash reservation draws from (once)."""
    await insert_if_absent(
        session,
        FlashReservationRef.__table__,
        reservation_id=reservation_id,
        session_id=session_id,
        sku_id=sku_id,
        quantity=quantity,
    )


def carried_flash_draw(order: OrderPlaced) -> FlashDraw | None:
    """The hold an order draws by the flash session it carries itself
    (`attribution.flash_session_id`, with the SKU of its flash line): the units of that line,
    whether or not `flash.reserved` has arrived. None when it carries none."""
    flash = order.attribution
    if flash.flash_session_id is None or flash.flash_sku_id is None:
        return None
    units = sum(line.quantity for line in order.lines if line.sku_id == flash.flash_sku_id)
    return FlashDraw(flash.flash_session_id, flash.flash_sku_id, units) if units else None


async def flash_draw(session: AsyncSession, reservation_id: UUID) -> FlashDraw | None:
    ref = await session.get(FlashReservationRef, reservation_id)
    if ref is None:
        return None
    return FlashDraw(ref.session_id, ref.sku_id, ref.quantity)


async def holds_of(session: AsyncSession, session_id: UUID) -> list[FlashHold]:
    return list(
        await session.scalars(
            select(FlashHold).where(FlashHold.session_id == session_id).order_by(FlashHold.sku_id)
        )
    )


async def _draw(session: AsyncSession, session_id: UUID, sku_id: UUID, quantity: int) -> bool:
    """Take `quantity` of a running hold for an order (the caller moves them to reserved)."""
    done = await session.execute(
        _guarded(FlashHold)
        .where(
            FlashHold.session_id == session_id,
            FlashHold.sku_id == sku_id,
            FlashHold.state == HoldState.HELD,
            FlashHold.quantity - FlashHold.drawn >= quantity,
        )
        .values(drawn=FlashHold.drawn + quantity)
    )
    return done.rowcount == 1


async def _undraw(session: AsyncSession, session_id: UUID, sku_id: UUID, quantity: int) -> bool:
    """Give an order's drawn units back to its hold if the session still runs; False once it
    has ended (they then go back to available stock: the hold returned only what was not
    drawn)."""
    done = await session.execute(
        _guarded(FlashHold)
        .where(
            FlashHold.session_id == session_id,
            FlashHold.sku_id == sku_id,
            FlashHold.state == HoldState.HELD,
            FlashHold.drawn >= quantity,
        )
        .values(drawn=FlashHold.drawn - quantity)
    )
    return done.rowcount == 1


# --- adjustments -----------------------------------------------------------------------


async def adjust(
    session: AsyncSession,
    sku_id: UUID,
    delta: int,
    reason: LedgerReason,
    note: str | None,
    by: UUID,
) -> StockLevel:
    """Change on-hand by hand (a receipt, a write-off, a count), with its ledger entry. Never
    below what is reserved: orders waiting for payment keep their units."""
    if (why := stock.check_adjustment(reason, delta)) is not None:
        raise InvalidInput("body.delta", why)
    row = (
        await session.execute(
            _guarded(StockLevel)
            .where(
                StockLevel.sku_id == sku_id,
                StockLevel.on_hand + delta >= StockLevel.reserved + StockLevel.held,
                StockLevel.on_hand + delta <= MAX_ON_HAND,
            )
            .values(on_hand=StockLevel.on_hand + delta)
            .returning(*_AFTER)
        )
    ).one_or_none()
    if row is None:
        current = await level(session, sku_id)
        raise Conflict(
            f"On hand {current.on_hand}, reserved {current.reserved}, held for flash sessions "
            f"{current.held}: a change of {delta} would leave less than is reserved and "
            f"held, or more than {MAX_ON_HAND:,}."
        )
    session.add(LedgerEntry(sku_id=sku_id, delta=delta, reason=reason, note=note, created_by=by))
    await _signal(session, [(row, _available(row) - delta)])
    await session.commit()
    return await _fresh(session, sku_id)


async def receive(
    session: AsyncSession, sku_id: UUID, quantity: int, purchase_order_id: UUID, by: UUID
) -> None:
    """Goods received against a purchase order: on-hand up by `quantity`, its ledger entry
    and the restocked signal, within the caller's transaction."""
    row = (
        await session.execute(
            _guarded(StockLevel)
            .where(StockLevel.sku_id == sku_id, StockLevel.on_hand + quantity <= MAX_ON_HAND)
            .values(on_hand=StockLevel.on_hand + quantity)
            .returning(*_AFTER)
        )
    ).one_or_none()
    if row is None:
        raise Conflict(f"Receiving {quantity} of {sku_id} would hold more than {MAX_ON_HAND:,}.")
    session.add(
        LedgerEntry(
            sku_id=sku_id,
            delta=quantity,
            reason=LedgerReason.RECEIPT,
            purchase_order_id=purchase_order_id,
            created_by=by,
        )
    )
    await _signal(session, [(row, _available(row) - quantity)])


async def sold_since(
    session: AsyncSession, sku_ids: Iterable[UUID], since: datetime
) -> dict[UUID, int]:
    """Units of each SKU sold (paid orders' reservations confirmed) since `since`, less
    those returned since (counted returns, resaleable or not), never below 0."""
    ids = list(sku_ids)
    sold = dict(
        (
            await session.execute(
                select(LedgerEntry.sku_id, func.sum(-LedgerEntry.delta))
                .where(
                    LedgerEntry.sku_id.in_(ids),
                    LedgerEntry.reason == LedgerReason.SALE,
                    LedgerEntry.created_at >= since,
                )
                .group_by(LedgerEntry.sku_id)
            )
        ).all()
    )
    returned = await returned_since(session, ids, since)
    return {sku_id: max(int(sold.get(sku_id) or 0) - returned.get(sku_id, 0), 0) for sku_id in ids}


async def returned_since(
    session: AsyncSession, sku_ids: Iterable[UUID], since: datetime
) -> dict[UUID, int]:
    """Units of each SKU counted as returned since `since` (SKUs with none left out)."""
    rows = await session.execute(
        select(SkuReturn.sku_id, func.sum(SkuReturn.counted))
        .where(
            SkuReturn.sku_id.in_(list(sku_ids)),
            SkuReturn.state == ReturnState.SETTLED,
            SkuReturn.settled_at >= since,
        )
        .group_by(SkuReturn.sku_id)
    )
    return {sku_id: int(units) for sku_id, units in rows if units}


async def set_threshold(session: AsyncSession, sku_id: UUID, threshold: int) -> StockLevel:
    done = await session.execute(
        _guarded(StockLevel)
        .where(StockLevel.sku_id == sku_id)
        .values(low_stock_threshold=threshold)
    )
    if done.rowcount != 1:
        raise NotFound(f"No SKU {sku_id}.")
    await session.commit()
    return await _fresh(session, sku_id)


def ledger_query(sku_id: UUID):
    return select(LedgerEntry).where(LedgerEntry.sku_id == sku_id)


# --- helpers -------------------------------------------------------------------------------


async def _lock_order(session: AsyncSession, order_id: UUID) -> None:
    await lock_until_commit(session, ORDER_LOCK, order_id)


def _guarded(table):
    # The statements are the truth, not objects in the session: none to synchronize.
    return update(table).execution_options(synchronize_session=False)


def _listed_skus():
    return (
        select(Sku.id)
        .join(Product, Product.id == Sku.product_id)
        .where(Product.state == ListingState.LISTED, Sku.listed.is_(True))
    )


async def _give_back(session: AsyncSession, sku_id: UUID, quantity: int, *, to_held: int = 0):
    """Units reserved no longer: `to_held` of them back to a flash hold, the rest available."""
    return (
        await session.execute(
            _guarded(StockLevel)
            .where(StockLevel.sku_id == sku_id, StockLevel.reserved >= quantity)
            .values(reserved=StockLevel.reserved - quantity, held=StockLevel.held + to_held)
            .returning(*_AFTER)
        )
    ).one()


async def _sellable(session: AsyncSession, sku_ids: list[UUID]) -> dict[UUID, int]:
    """Units available of each SKU: 0 for one unknown or not listed."""
    rows = await session.execute(
        select(StockLevel.sku_id, AVAILABLE).where(
            StockLevel.sku_id.in_(sku_ids), StockLevel.sku_id.in_(_listed_skus())
        )
    )
    found = {sku_id: max(available, 0) for sku_id, available in rows}
    return {sku_id: found.get(sku_id, 0) for sku_id in sku_ids}


def _record(
    session, order_id, at, expires_at, wanted
) -> tuple[Reservation, dict[UUID, ReservationLine]]:
    reservation = Reservation(
        order_id=order_id, state=ReservationState.HELD, expires_at=expires_at, created_at=at
    )
    session.add(reservation)
    lines = {
        sku_id: ReservationLine(order_id=order_id, sku_id=sku_id, quantity=quantity, from_hold=0)
        for sku_id, quantity in wanted.items()
    }
    session.add_all(lines.values())
    return reservation, lines


async def _lines(session: AsyncSession, order_id: UUID) -> list[ReservationLine]:
    return list(
        await session.scalars(
            select(ReservationLine)
            .where(ReservationLine.order_id == order_id)
            .order_by(ReservationLine.sku_id)
        )
    )


async def _signal(session: AsyncSession, changes: list[tuple]) -> None:
    """Stage the low / out / restocked events of `changes`: (row after, available before)."""
    at = now()
    crossed = [
        (row, kind)
        for row, before in changes
        if (kind := stock.signal(before, _available(row), row.low_stock_threshold))
    ]
    if not crossed:
        return
    products = dict(
        (
            await session.execute(
                select(Sku.id, Sku.product_id).where(Sku.id.in_([row.sku_id for row, _ in crossed]))
            )
        ).all()
    )
    events: list[EventData] = []
    for row, kind in crossed:
        product_id, available = products[row.sku_id], _available(row)
        if kind == stock.Signal.OUT:
            events.append(StockOut(sku_id=row.sku_id, product_id=product_id, at=at))
        elif kind == stock.Signal.LOW:
            events.append(
                StockLow(
                    sku_id=row.sku_id,
                    product_id=product_id,
                    available=available,
                    threshold=row.low_stock_threshold,
                    at=at,
                )
            )
        else:
            events.append(
                StockRestocked(
                    sku_id=row.sku_id,
                    product_id=product_id,
                    available=available,
                    threshold=row.low_stock_threshold,
                    at=at,
                )
            )
    await outbox.add_all(session, events)


async def _fresh(session: AsyncSession, sku_id: UUID) -> StockLevel:
    found = await session.get(StockLevel, sku_id, populate_existing=True)
    assert found is not None
    return found
