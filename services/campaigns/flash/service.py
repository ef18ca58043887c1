"""Flash-sale operations: sessions, reservations with zero oversell, their expiry and the
return of their stock, and their part in the order saga.

A reservation's life is guarded statements that name the status they leave
(reserved → ordered → purchased; reserved → expired; ordered → released; reserved → voided
when its session is cancelled or refused: `holds.void_open`, and the write-down of one taken
in Redis then). Stock goes back for expired and released ones in one place,
`restore_pending`, marked by `restored_at` in the same guarded way, so an expiry delivered
twice or a cancel racing a timeout restores once."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

from fastapi.responses import Response
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.db import Database
from chassis.events import outbox
from chassis.events.handlers import DependencyDown
from chassis.http.problems import Conflict, FieldError, InvalidInput, NotFound
from chassis.idempotency import RETENTION as idempotency_retention
from chassis.idempotency import Idempotency
from chassis.ids import new_id
from contracts.campaigns import (
    FlashItemStock,
    FlashReservationExpired,
    FlashReserved,
    FlashSessionScheduled,
)
from contracts.orders import OrderPlaced
from services.campaigns.budgets import service as budgets
from services.campaigns.calendar.models import Campaign
from services.campaigns.checkout.refusal import Refusal
from services.campaigns.flash.lifecycle import VOIDING, SessionState, not_sellable
from services.campaigns.flash.models import (
    RETURNING,
    FlashItem,
    FlashReservation,
    FlashSession,
    ReservationStatus,
    standing,
)
from services.campaigns.flash.schemas import ReservationOut, ReservationRequest, SessionRequest
from services.campaigns.flash.sessions import ItemTerms, SessionCache, SessionTerms
from services.campaigns.flash.stock import (
    DatabaseStock,
    FlashStock,
    RedisStock,
    Replay,
    Taken,
    replay_key,
)

RESTORE_BATCH = 500
WRITE_DOWN_BATCH = 500
# Reservations taken in Redis are written down this long after their session ended, at most.
WRITE_DOWN_GRACE = timedelta(days=1)
# The write-down's insert, spelled for each database (built once: its compiled form is cached).
WRITE_DOWN = {
    dialect.dialect.name: dialect.insert(FlashReservation)
    .on_conflict_do_nothing(index_elements=["id"])
    .returning(FlashReservation.id)
    for dialect in (postgresql, sqlite)
}
# An order naming a reservation this young that the database has not got yet waits for it
# (it may still be in Redis's stream); an older unknown one is refused.
WRITE_DOWN_WAIT = timedelta(minutes=1)


async def create_session(
    session: AsyncSession, body: SessionRequest, by: UUID, stock: FlashStock
) -> SessionTerms:
    if body.campaign_id is not None:
        campaign = await session.get(Campaign, body.campaign_id)
        if campaign is None:
            raise InvalidInput("body.campaign_id", f"no campaign {body.campaign_id}")
        if body.starts_at < campaign.starts_at or body.ends_at > campaign.ends_at:
            raise Conflict(
                f"The session runs outside its campaign ({campaign.starts_at.isoformat()} "
                f"to {campaign.ends_at.isoformat()})."
            )
    flash = FlashSession(
        name=body.name,
        campaign_id=body.campaign_id,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        reservation_minutes=body.reservation_minutes,
        created_by=by,
        items=[
            FlashItem(
                sku_id=item.sku_id,
                flash_price=item.flash_price,
                stock=item.stock,
                stock_left=item.stock,
                per_user_limit=item.per_user_limit,
            )
            for item in body.items
        ],
    )
    session.add(flash)
    await session.flush()
    # Catalog sets the stock aside and answers per SKU (flash/holds.py takes the answers).
    await outbox.add(
        session,
        FlashSessionScheduled(
            session_id=flash.id,
            campaign_id=flash.campaign_id,
            items=[FlashItemStock(sku_id=i.sku_id, quantity=i.stock) for i in flash.items],
            starts_at=flash.starts_at,
            ends_at=flash.ends_at,
        ),
    )
    await session.commit()
    for item in flash.items:
        await stock.load(item)
    return SessionTerms.of(flash)


async def reserve(
    db: Database,
    stock: FlashStock,
    sessions: SessionCache,
    idempotency: Idempotency,
    session_id: UUID,
    customer_id: UUID,
    request: ReservationRequest,
) -> Response:
    """Reserve flash stock for the customer: the 201 with the reservation, the first
    response again for a repeated Idempotency-Key, or a 409 (not open, sold out, over the
    limit)."""
    flash = await sessions.get(db, session_id)
    if isinstance(stock, RedisStock):
        return await _reserve_in_redis(stock, flash, idempotency, customer_id, request)

    async def command() -> ReservationOut:
        return await _reserve_in_database(session, stock, flash, customer_id, request)

    async with stock.gate, db.session() as session:
        return await idempotency.run(
            session, caller=customer_id, request=request, command=command, status_code=201
        )


def _open_item(flash: SessionTerms, sku_id: UUID, at: datetime) -> ItemTerms:
    if not flash.starts_at <= at < flash.ends_at:
        raise Conflict(f"Flash session {flash.id} is not open.")
    item = flash.item(sku_id)
    if item is None:
        raise InvalidInput("body.sku_id", f"not in flash session {flash.id}")
    if reason := not_sellable(flash.state, flash.id):
        raise Conflict(reason)
    if item.stopped_at is not None:
        raise ItemStopped(item.sku_id, flash.id)
    return item


class ItemStopped(Conflict):
    """A 409 naming `body.sku_id`: catalog delisted the SKU during the session."""

    def __init__(self, sku_id: UUID, session_id: UUID) -> None:
        message = f"SKU {sku_id} was delisted: flash session {session_id} no longer sells it"
        super().__init__(
            f"body.sku_id: {message}",
            errors=[FieldError(field="body.sku_id", message=message, type="conflict").model_dump()],
        )


def _refusal(taken: Taken, flash: SessionTerms, item: ItemTerms) -> Conflict:
    if taken == Taken.SOLD_OUT:
        return Conflict(f"SKU {item.sku_id} is sold out in flash session {flash.id}.")
    return Conflict(f"Customers reserve at most {item.per_user_limit} of SKU {item.sku_id} here.")


def _reservation(flash: SessionTerms, item: ItemTerms, units: int, at: datetime) -> ReservationOut:
    return ReservationOut(
        id=new_id(),
        session_id=flash.id,
        sku_id=item.sku_id,
        quantity=units,
        flash_price=item.flash_price,
        status=ReservationStatus.RESERVED,
        order_id=None,
        reserved_at=at,
        expires_at=at + timedelta(minutes=flash.reservation_minutes),
    )


async def _reserve_in_database(
    session: AsyncSession,
    stock: DatabaseStock,
    flash: SessionTerms,
    customer_id: UUID,
    request: ReservationRequest,
) -> ReservationOut:
    """The stock, the limit, the reservation row and its event in the caller's transaction
    (idempotency.run commits it with the stored response)."""
    at = now()
    item = _open_item(flash, request.sku_id, at)
    reservation = _reservation(flash, item, request.quantity, at)
    taken = await stock.hold(session, item, customer_id, request.quantity)
    if taken == Taken.TAKEN:
        session.add(FlashReservation(**_values(reservation, item.id, customer_id)))
        await outbox.add(session, _reserved(reservation, customer_id))
        await session.flush()
        taken = await stock.take(session, item, request.quantity)
    if taken != Taken.TAKEN:
        await session.rollback()  # the holding, the rows: nothing of it stays
        raise _refusal(taken, flash, item)
    return reservation


async def _reserve_in_redis(
    stock: RedisStock,
    flash: SessionTerms,
    idempotency: Idempotency,
    customer_id: UUID,
    request: ReservationRequest,
) -> Response:
    """Stock, limit, the reservation's record and the stored response in one Redis script;
    the database gets the reservation from the session's stream (`write_down`)."""
    replay = None
    if idempotency.key is not None:
        fingerprint = idempotency.fingerprint(request)
        replay = (replay_key(flash.id, customer_id, idempotency.key), fingerprint)
    at = now()
    try:
        item = _open_item(flash, request.sku_id, at)
    except Conflict:
        # A retry after the session closed still gets its first answer.
        first = replay and await stock.first_response(replay[0])
        if first:
            return Idempotency.repeat(first.fingerprint, replay[1], 201, first.body)
        raise
    reservation = _reservation(flash, item, request.quantity, at)
    body = reservation.model_dump_json()
    taken = await stock.reserve(
        item,
        customer_id,
        request.quantity,
        reservation.id,
        body,
        replay,
        int(idempotency_retention.total_seconds()),
    )
    if isinstance(taken, Replay):
        return Idempotency.repeat(taken.fingerprint, replay[1], 201, taken.body)
    if taken != Taken.TAKEN:
        raise _refusal(taken, flash, item)
    return Response(body, status_code=201, media_type="application/json")


def _values(reservation: ReservationOut, item_id: UUID, customer_id: UUID) -> dict:
    """A new reservation's row, as the columns of `flash_reservations`."""
    return {
        "id": reservation.id,
        "item_id": item_id,
        "session_id": reservation.session_id,
        "sku_id": reservation.sku_id,
        "customer_id": customer_id,
        "quantity": reservation.quantity,
        "flash_price_amount": reservation.flash_price.amount,
        "currency": reservation.flash_price.currency,
        "status": ReservationStatus.RESERVED,
        "reserved_at": reservation.reserved_at,
        "expires_at": reservation.expires_at,
    }


def _reserved(reservation: ReservationOut, customer_id: UUID) -> FlashReserved:
    return FlashReserved(
        reservation_id=reservation.id,
        session_id=reservation.session_id,
        sku_id=reservation.sku_id,
        customer_id=customer_id,
        quantity=reservation.quantity,
        flash_price=reservation.flash_price,
        expires_at=reservation.expires_at,
    )


async def taking_sessions(session: AsyncSession, at: datetime) -> list[UUID]:
    """Sessions whose streams may hold reservations not yet written down: open ones, and
    those that ended within WRITE_DOWN_GRACE (a replica down for a while catches up)."""
    return list(
        await session.scalars(
            select(FlashSession.id).where(
                FlashSession.starts_at <= at, FlashSession.ends_at > at - WRITE_DOWN_GRACE
            )
        )
    )


async def write_down(db: Database, stock: RedisStock, session_ids: list[UUID]) -> int:
    """Write the reservations taken in Redis to the database, with their `flash.reserved`
    events, in one transaction per session's batch; then drop them from the stream. An
    entry written before (the replica died before acknowledging it) is skipped with its
    event: the insert does nothing for an id it has, and only new rows get events."""
    written = 0
    for session_id in session_ids:
        while entries := await stock.pending(session_id, WRITE_DOWN_BATCH):
            taken = {
                entry.entry_id: ReservationOut.model_validate_json(entry.body) for entry in entries
            }
            rows = [
                _values(taken[entry.entry_id], entry.item_id, entry.customer_id)
                for entry in entries
            ]
            async with db.session() as session:
                # A session called off takes its late reservations void. FOR SHARE: a cancel
                # (which voids what is written) waits for this batch, or this for the cancel.
                state = await session.scalar(
                    select(FlashSession.state)
                    .where(FlashSession.id == session_id)
                    .with_for_update(read=True)
                )
                if state in VOIDING:
                    for row in rows:
                        row["status"] = ReservationStatus.VOIDED
                # One statement executed for many rows (compiled once, cached), its RETURNING
                # naming only the rows it inserted.
                statement = WRITE_DOWN[session.get_bind().dialect.name]
                inserted = set(await session.scalars(statement, rows))
                await outbox.add_all(
                    session,
                    [
                        _reserved(taken[entry.entry_id], entry.customer_id)
                        for entry in entries
                        if taken[entry.entry_id].id in inserted
                    ],
                )
                await session.commit()
            await stock.written_down(session_id, entries)
            written += len(inserted)
            if len(entries) < WRITE_DOWN_BATCH:
                break
    return written


async def my_reservation(
    db: Database, stock: FlashStock, reservation_id: UUID, customer_id: UUID
) -> ReservationOut:
    """The customer's reservation as orders reads it at checkout: `voided` once its session
    was called off (`models.standing`), so it is not orderable."""
    async with db.session() as session:
        reservation = await session.get(FlashReservation, reservation_id)
        if reservation is None and isinstance(stock, RedisStock):
            # Perhaps just taken and still in its session's stream: written down now.
            await write_down(db, stock, await taking_sessions(session, now()))
            reservation = await session.get(FlashReservation, reservation_id)
        if reservation is None or reservation.customer_id != customer_id:
            raise NotFound(f"No flash reservation {reservation_id}.")  # another's is none of yours
        state = await session.scalar(
            select(FlashSession.state).where(FlashSession.id == reservation.session_id)
        )
        out = ReservationOut.model_validate(reservation)
    return out.model_copy(update={"status": standing(reservation.status, SessionState(state))})


async def expire_due(session: AsyncSession, at: datetime) -> int:
    """Reservations not ordered by their expiry become expired (one guarded statement)."""
    expired = (
        await session.execute(
            update(FlashReservation)
            .where(
                FlashReservation.status == ReservationStatus.RESERVED,
                FlashReservation.expires_at <= at,
            )
            .values(status=ReservationStatus.EXPIRED)
            .returning(
                FlashReservation.id,
                FlashReservation.session_id,
                FlashReservation.sku_id,
                FlashReservation.customer_id,
                FlashReservation.quantity,
            )
        )
    ).all()
    await outbox.add_all(
        session,
        [
            FlashReservationExpired(
                reservation_id=row.id,
                session_id=row.session_id,
                sku_id=row.sku_id,
                customer_id=row.customer_id,
                quantity=row.quantity,
                expired_at=at,
            )
            for row in expired
        ],
    )
    await session.commit()
    return len(expired)


async def restore_pending(session: AsyncSession, stock: FlashStock) -> int:
    """Give back the stock of expired and released reservations, each once."""
    pending = list(
        await session.scalars(
            select(FlashReservation)
            .where(FlashReservation.status.in_(RETURNING), FlashReservation.restored_at.is_(None))
            .limit(RESTORE_BATCH)
        )
    )
    restored = 0
    for reservation in pending:
        marked = await session.execute(
            update(FlashReservation)
            .where(FlashReservation.id == reservation.id, FlashReservation.restored_at.is_(None))
            .values(restored_at=now())
            .execution_options(synchronize_session=False)
        )
        if marked.rowcount == 1:
            await stock.give_back(session, reservation)
            restored += 1
    await session.commit()
    return restored


async def hold_for_order(session: AsyncSession, order: OrderPlaced) -> Refusal | None:
    """The order's flash reservation becomes its (the order must carry the flash price),
    and the price gap is charged to the campaign's budget; None, or why not."""
    reservation_id = order.attribution.flash_reservation_id
    reservation = await session.get(FlashReservation, reservation_id)
    if reservation is None and _young(reservation_id, order.placed_at):
        # Taken in Redis a moment ago, its row not written down yet: the event is retried.
        raise DependencyDown(f"flash reservation {reservation_id} is not written down yet")
    if reservation is None or reservation.customer_id != order.customer_id:
        return Refusal(f"flash reservation {reservation_id}: not_found")
    line = next((x for x in order.lines if x.sku_id == reservation.sku_id), None)
    if line is None or line.unit_price != reservation.flash_price:
        return Refusal(
            f"flash reservation {reservation_id}: the order must carry SKU "
            f"{reservation.sku_id} at the flash price"
        )
    if line.quantity > reservation.quantity:
        return Refusal(
            f"flash reservation {reservation_id}: {reservation.quantity} reserved, "
            f"{line.quantity} ordered"
        )
    held = await session.execute(
        update(FlashReservation)
        .where(
            FlashReservation.id == reservation_id,
            FlashReservation.status == ReservationStatus.RESERVED,
            # Not in a session called off (a cancel voids its reservations; this also
            # refuses one that was taken while the cancel ran and missed its void).
            FlashReservation.session_id.in_(
                select(FlashSession.id).where(
                    FlashSession.id == reservation.session_id,
                    FlashSession.state.not_in(VOIDING),
                )
            ),
        )
        .values(status=ReservationStatus.ORDERED, order_id=order.order_id)
        .execution_options(synchronize_session=False)
    )
    if held.rowcount != 1:
        flash = await session.get(FlashSession, reservation.session_id)
        status = standing(reservation.status, SessionState(flash.state))
        return Refusal(f"flash reservation {reservation_id}: {status}")
    campaign_id = (await session.get(FlashSession, reservation.session_id)).campaign_id
    gap = max(line.list_price.amount - line.unit_price.amount, 0) * line.quantity
    if campaign_id is not None and not await budgets.charge(
        session, campaign_id, budget_key(reservation_id), gap
    ):
        return Refusal(f"the budget of campaign {campaign_id} is spent", campaign_id)
    return None


async def purchase(session: AsyncSession, order_id: UUID) -> None:
    await session.execute(
        update(FlashReservation)
        .where(
            FlashReservation.order_id == order_id,
            FlashReservation.status == ReservationStatus.ORDERED,
        )
        .values(status=ReservationStatus.PURCHASED)
        .execution_options(synchronize_session=False)
    )


async def release_for_order(session: AsyncSession, order_id: UUID) -> None:
    """A cancelled order's reservation is released (its stock goes back at the next
    restore) and its budget charge given back."""
    released = (
        (
            await session.execute(
                update(FlashReservation)
                .where(
                    FlashReservation.order_id == order_id,
                    FlashReservation.status == ReservationStatus.ORDERED,
                )
                .values(status=ReservationStatus.RELEASED)
                .returning(FlashReservation.id)
            )
        )
        .scalars()
        .all()
    )
    for reservation_id in released:
        await budgets.release(session, budget_key(reservation_id))


def _young(reservation_id: UUID, at: datetime) -> bool:
    """Whether a (time-ordered) reservation id was minted within WRITE_DOWN_WAIT of `at`."""
    minted = datetime.fromtimestamp((reservation_id.int >> 80) / 1000, tz=UTC)
    return at - minted < WRITE_DOWN_WAIT


def budget_key(reservation_id: UUID) -> str:
    return f"flash:{reservation_id}"
