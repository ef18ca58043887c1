"""Catalog's hold of a flash session's stock, and the session's end: the answers
(`flash_stock.held` / `.refused` / `.returned`) recorded per item, the session moved by
them, and `flash.session_ended` staged once when it ends, is cancelled or is refused.

Every move is a guarded UPDATE naming what it leaves (an item's `hold = 'pending'`, the
session's states in `lifecycle.ENDS_FROM`), so an answer delivered twice, or an end racing a
cancel, has one effect. A cancel or a refusal voids the session's reservations not yet
ordered in the same transaction (`void_open`). Catalog's answers for a session share its
key: they come in order."""

import logging
from datetime import datetime
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.events import outbox
from chassis.http.problems import Conflict, NotFound
from contracts.campaigns import FlashSessionEnded
from contracts.catalog import FlashStockHeld, FlashStockRefused, FlashStockReturned
from services.campaigns.flash.lifecycle import (
    ENDS_FROM,
    VOIDING,
    HoldState,
    SessionState,
    after_answers,
)
from services.campaigns.flash.models import (
    FlashItem,
    FlashReservation,
    FlashSession,
    ReservationStatus,
)

log = logging.getLogger(__name__)
END_BATCH = 200


async def _answer(session: AsyncSession, session_id: UUID, sku_id: UUID, **values) -> bool:
    """Record catalog's first answer for one item; False for a repeat or an item not ours."""
    answered = await session.execute(
        update(FlashItem)
        .where(
            FlashItem.session_id == session_id,
            FlashItem.sku_id == sku_id,
            FlashItem.hold == HoldState.PENDING,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if answered.rowcount != 1:
        log.info("flash stock answer for %s/%s changes nothing", session_id, sku_id)
    return answered.rowcount == 1


async def held(session: AsyncSession, event: FlashStockHeld) -> None:
    """The item's stock is set aside; the session is on sale once every item's is."""
    if await _answer(session, event.session_id, event.sku_id, hold=HoldState.HELD):
        await _settle(session, event.session_id)


async def refused(session: AsyncSession, event: FlashStockRefused) -> None:
    """The item's stock could not be set aside: the session never goes on sale, and it
    ends now, so catalog gives back what it did hold for its other items."""
    if await _answer(
        session,
        event.session_id,
        event.sku_id,
        hold=HoldState.REFUSED,
        hold_available=event.available,
    ):
        await _settle(session, event.session_id)


async def _settle(session: AsyncSession, session_id: UUID) -> None:
    """Move a pending session where its items' answers put it (`lifecycle.after_answers`)."""
    answers = list(
        await session.scalars(select(FlashItem.hold).where(FlashItem.session_id == session_id))
    )
    state = after_answers([HoldState(answer) for answer in answers])
    if state == SessionState.REFUSED:
        await end(session, session_id, SessionState.REFUSED, now())
    elif state == SessionState.HELD:
        await session.execute(
            update(FlashSession)
            .where(FlashSession.id == session_id, FlashSession.state == SessionState.PENDING)
            .values(state=SessionState.HELD)
            .execution_options(synchronize_session=False)
        )


async def returned(session: AsyncSession, event: FlashStockReturned) -> None:
    """Catalog's figures at the end: sold from the hold, and given back (the first answer)."""
    await session.execute(
        update(FlashItem)
        .where(
            FlashItem.session_id == event.session_id,
            FlashItem.sku_id == event.sku_id,
            FlashItem.returned.is_(None),
        )
        .values(sold=event.sold, returned=event.returned)
        .execution_options(synchronize_session=False)
    )


async def end(session: AsyncSession, session_id: UUID, to: SessionState, at: datetime) -> bool:
    """Move the session to one of its ends (refused, cancelled, ended) and stage
    `flash.session_ended`, if it is in a state that end leaves; whether it moved."""
    moved = await session.execute(
        update(FlashSession)
        .where(FlashSession.id == session_id, FlashSession.state.in_(ENDS_FROM[to]))
        .values(state=to, ended_at=at)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        return False
    if to in VOIDING:
        await void_open(session, session_id)
    await outbox.add(
        session,
        FlashSessionEnded(session_id=session_id, cancelled=to != SessionState.ENDED, ended_at=at),
    )
    return True


async def void_open(session: AsyncSession, session_id: UUID) -> int:
    """The session's reservations not yet ordered are void: none can be ordered now. Their
    stock goes nowhere: catalog takes back the session's undrawn hold at its end."""
    voided = await session.execute(
        update(FlashReservation)
        .where(
            FlashReservation.session_id == session_id,
            FlashReservation.status == ReservationStatus.RESERVED,
        )
        .values(status=ReservationStatus.VOIDED)
        .execution_options(synchronize_session=False)
    )
    return voided.rowcount


async def cancel(session: AsyncSession, session_id: UUID) -> FlashSession:
    """An operator calls a session off (pending or on sale): 404 unknown, 409 over."""
    flash = await session.get(FlashSession, session_id)
    if flash is None:
        raise NotFound(f"No flash session {session_id}.")
    if not await end(session, session_id, SessionState.CANCELLED, now()):
        await session.refresh(flash)
        raise Conflict(f"Flash session {session_id} is {flash.state}: it cannot be cancelled.")
    await session.commit()
    await session.refresh(flash)
    return flash


async def end_due(session: AsyncSession, at: datetime) -> int:
    """Sessions whose window closed end (pending or held), each with its event, once."""
    due = list(
        await session.scalars(
            select(FlashSession.id)
            .where(
                FlashSession.state.in_(ENDS_FROM[SessionState.ENDED]),
                FlashSession.ends_at <= at,
            )
            .limit(END_BATCH)
        )
    )
    ended = 0
    for session_id in due:
        ended += await end(session, session_id, SessionState.ENDED, at)
    await session.commit()
    return ended


async def stock_of(session: AsyncSession, session_id: UUID) -> FlashSession:
    flash = await session.get(FlashSession, session_id)
    if flash is None:
        raise NotFound(f"No flash session {session_id}.")
    return flash
