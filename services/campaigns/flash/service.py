"""Flash-sale operations: sessions, reservations with zero oversell, their expiry and the
return of their stock, and their part in the order saga.

A reservation's life is guarded statements that name the status they leave
(reserved → ordered → purchased; reserved → expired; ordered → released). Stock goes back
for expired and released ones in one place, `restore_pending`, marked by `restored_at` in
the same guarded way, so an expiry delivered twice or a cancel racing a timeout restores
once."""

from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.events import outbox
from chassis.http.problems import Conflict, InvalidInput, NotFound
from chassis.ids import new_id
from contracts.campaigns import FlashReservationExpired, FlashReserved
from contracts.orders import OrderPlaced
from services.campaigns.budgets import service as budgets
from services.campaigns.calendar.models import Campaign
from services.campaigns.checkout.refusal import Refusal
from services.campaigns.flash.models import (
    RETURNING,
    FlashItem,
    FlashReservation,
    FlashSession,
    ReservationStatus,
)
from services.campaigns.flash.schemas import SessionRequest
from services.campaigns.flash.sessions import SessionCache, SessionTerms
from services.campaigns.flash.stock import FlashStock, RedisStock, Taken

RESTORE_BATCH = 500


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
    await session.commit()
    for item in flash.items:
        await stock.load(item)
    return SessionTerms.of(flash)


async def reserve(
    session: AsyncSession,
    stock: FlashStock,
    sessions: SessionCache,
    session_id: UUID,
    customer_id: UUID,
    sku_id: UUID,
    units: int,
) -> FlashReservation:
    flash = await sessions.get(session, session_id)
    at = now()
    if not flash.starts_at <= at < flash.ends_at:
        raise Conflict(f"Flash session {session_id} is not open.")
    item = flash.item(sku_id)
    if item is None:
        raise InvalidInput("body.sku_id", f"not in flash session {session_id}")
    reservation_id, limit = new_id(), item.per_user_limit
    taken = await stock.take(session, item, customer_id, units, reservation_id)
    if taken != Taken.TAKEN:
        await session.rollback()  # what the database path took of the limit goes back
        if taken == Taken.SOLD_OUT:
            raise Conflict(f"SKU {sku_id} is sold out in flash session {session_id}.")
        raise Conflict(f"Customers reserve at most {limit} of SKU {sku_id} here.")
    reservation = FlashReservation(
        id=reservation_id,
        item_id=item.id,
        session_id=session_id,
        sku_id=sku_id,
        customer_id=customer_id,
        quantity=units,
        flash_price=item.flash_price,
        reserved_at=at,
        expires_at=at + timedelta(minutes=flash.reservation_minutes),
    )
    session.add(reservation)
    await outbox.add(
        session,
        FlashReserved(
            reservation_id=reservation_id,
            session_id=session_id,
            sku_id=sku_id,
            customer_id=customer_id,
            quantity=units,
            flash_price=item.flash_price,
            expires_at=reservation.expires_at,
        ),
    )
    try:
        await session.commit()
    except Exception:
        if isinstance(stock, RedisStock):  # the database took nothing; Redis gives it back
            await stock.undo(item.id, reservation_id)
        raise
    return reservation


async def my_reservation(session: AsyncSession, reservation_id: UUID, customer_id: UUID):
    reservation = await session.get(FlashReservation, reservation_id)
    if reservation is None or reservation.customer_id != customer_id:
        raise NotFound(f"No flash reservation {reservation_id}.")  # another's is none of yours
    return reservation


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
        )
        .values(status=ReservationStatus.ORDERED, order_id=order.order_id)
        .execution_options(synchronize_session=False)
    )
    if held.rowcount != 1:
        return Refusal(f"flash reservation {reservation_id}: {reservation.status}")
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


def budget_key(reservation_id: UUID) -> str:
    return f"flash:{reservation_id}"
