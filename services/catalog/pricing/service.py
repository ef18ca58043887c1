"""Pricing operations: a SKU's list, sale and cost prices, scheduled changes and the scheduler
that starts and ends them, each with its history row and `PriceChanged`.

A SKU's prices change only over the version they were read at (`price_version`), so two
changes racing never both build on the same old price: the loser reads again and retries
(the routes) or waits for the next turn (the scheduler). A scheduled change's state changes
check the state they leave, so two schedulers (or a scheduler and a cancellation) move it once.
"""

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar
from uuid import UUID

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.db import Database
from chassis.events import outbox
from chassis.http.problems import Conflict, InvalidInput, NotFound
from chassis.money import Money
from contracts.catalog import PriceChanged
from services.catalog.pricing import rules
from services.catalog.pricing.models import PriceRecord, PriceSchedule, PriceSource
from services.catalog.pricing.rules import ScheduleAction, ScheduleState
from services.catalog.pricing.schemas import Prices, ScheduleIn
from services.catalog.products.models import Product, Sku

log = logging.getLogger(__name__)

ATTEMPTS = 10  # reads of a SKU's prices before a change racing others gives up (409)
SWEEP_BATCH = 100

T = TypeVar("T")


class BelowMargin(InvalidInput):
    slug = "margin-guard"


class _Stale(Exception):
    """Another change moved the SKU's prices since they were read."""


@dataclass(frozen=True)
class Override:
    by: UUID
    reason: str


def check_margin(price: int, cost: int | None, min_margin_bps: int, field: str) -> None:
    lowest = rules.below_floor(price, cost, min_margin_bps)
    if lowest is not None:
        raise BelowMargin(
            field,
            f"{price} is below {lowest}, the cost {cost} plus the minimum margin of "
            f"{min_margin_bps / 100:g}% of the price; an admin may override it with a reason",
        )


def record_created(session: AsyncSession, sku: Sku, by: UUID) -> None:
    """The first row of a new SKU's price history (within the caller's transaction)."""
    session.add(
        PriceRecord(
            sku_id=sku.id,
            source=PriceSource.CREATED,
            currency=sku.currency,
            old_amount=None,
            amount=sku.price_amount,
            list_amount=sku.list_amount,
            sale_amount=sku.sale_amount,
            cost_amount=sku.cost_amount,
            by=by,
            effective_at=sku.created_at,
            recorded_at=sku.created_at,
        )
    )


async def sku(session: AsyncSession, sku_id: UUID) -> Sku:
    found = await session.get(Sku, sku_id, populate_existing=True)
    if found is None:
        raise NotFound(f"No SKU {sku_id}.")
    return found


async def scheduled(session: AsyncSession, sku_id: UUID) -> list[PriceSchedule]:
    """The SKU's pending and active changes, soonest first."""
    return list(
        await session.scalars(
            select(PriceSchedule)
            .where(
                PriceSchedule.sku_id == sku_id,
                PriceSchedule.state.in_([ScheduleState.PENDING, ScheduleState.ACTIVE]),
            )
            .order_by(PriceSchedule.starts_at, PriceSchedule.id)
        )
    )


async def set_prices(
    session: AsyncSession,
    sku_id: UUID,
    body: Prices,
    by: UUID,
    min_margin_bps: int,
    override: Override | None = None,
) -> Sku:
    """Set a SKU's list and sale price (and cost) now; without `override` the price it is
    left selling for outside scheduled changes must keep the margin."""

    async def attempt() -> Sku:
        found = await sku(session, sku_id)
        _same_currency(found, body.list_price, "body.list_price")
        if body.sale_price is not None:
            _same_currency(found, body.sale_price, "body.sale_price")
            if body.sale_price.amount >= body.list_price.amount:
                raise InvalidInput("body.sale_price", "must be below the list price")
        if body.cost is not None:
            _same_currency(found, body.cost, "body.cost")
        cost = body.cost.amount if body.cost is not None else found.cost_amount
        sale = body.sale_price.amount if body.sale_price is not None else None
        if override is None:
            field = "body.list_price" if sale is None else "body.sale_price"
            check_margin(
                rules.base_price(body.list_price.amount, sale), cost, min_margin_bps, field
            )
        else:
            log.warning(
                "price override below the margin guard",
                extra={"sku_id": str(sku_id), "by": str(override.by), "reason": override.reason},
            )
        at = now()
        await _apply(
            session,
            found,
            list_amount=body.list_price.amount,
            sale_amount=sale,
            cost_amount=cost,
            source=PriceSource.OVERRIDE if override else PriceSource.MANUAL,
            at=at,
            effective_at=at,
            by=by,
            override=override,
        )
        await session.commit()
        return await sku(session, sku_id)

    return await _retrying(session, attempt)


async def schedule(
    session: AsyncSession,
    sku_id: UUID,
    body: ScheduleIn,
    by: UUID,
    min_margin_bps: int,
    override: Override | None = None,
) -> PriceSchedule:
    """Schedule a price from `starts_at` (in the future) until `ends_at`; it is checked
    against the margin now and again when it starts, unless an admin overrode the guard."""
    found = await sku(session, sku_id)
    _same_currency(found, body.price, "body.price")
    at = now()
    if body.starts_at <= at:
        raise InvalidInput("body.starts_at", "must be in the future (set the price now instead)")
    if body.ends_at is not None and body.ends_at <= body.starts_at:
        raise InvalidInput("body.ends_at", "must be after starts_at")
    if override is None:
        check_margin(body.price.amount, found.cost_amount, min_margin_bps, "body.price.amount")
    change = PriceSchedule(
        sku_id=sku_id,
        amount=body.price.amount,
        currency=body.price.currency,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        state=ScheduleState.PENDING,
        note=body.note,
        created_by=by,
        created_at=at,
        override_by=override.by if override else None,
        override_reason=override.reason if override else None,
    )
    session.add(change)
    await session.commit()
    return change


async def get_schedule(session: AsyncSession, schedule_id: UUID) -> PriceSchedule:
    found = await session.get(PriceSchedule, schedule_id, populate_existing=True)
    if found is None:
        raise NotFound(f"No scheduled price change {schedule_id}.")
    return found


async def cancel(session: AsyncSession, schedule_id: UUID, by: UUID) -> PriceSchedule:
    """Cancel a pending or active change; an active one's SKU goes back to the price that
    applies without it, at once."""

    async def attempt() -> PriceSchedule:
        change = await get_schedule(session, schedule_id)
        leaves, reaches = rules.move(change.state, ScheduleAction.CANCEL)
        at = now()
        moved = await _move(session, [schedule_id], leaves, reaches, at)
        if not moved:
            await session.rollback()
            raise rules.IllegalTransition(f"Scheduled change {schedule_id} moved meanwhile.")
        if change.state == ScheduleState.ACTIVE:
            found = await sku(session, change.sku_id)
            await _apply(
                session,
                found,
                list_amount=found.list_amount,
                sale_amount=found.sale_amount,
                cost_amount=found.cost_amount,
                source=PriceSource.SCHEDULE_CANCELLED,
                at=at,
                effective_at=at,
                by=by,
                schedule_id=schedule_id,
            )
        await session.commit()
        return await get_schedule(session, schedule_id)

    return await _retrying(session, attempt)


# --- the scheduler ---------------------------------------------------------------------------


async def settle_due(db: Database, min_margin_bps: int, *, batch: int = SWEEP_BATCH) -> int:
    """Start and end the scheduled changes whose time has come, one SKU per transaction (the
    scheduler's step). Returns how many SKUs were settled."""
    at = now()
    async with db.session() as session:
        due = list(
            await session.scalars(
                select(PriceSchedule.sku_id)
                .where(_due(at))
                .group_by(PriceSchedule.sku_id)
                .order_by(func.min(PriceSchedule.starts_at))
                .limit(batch)
            )
        )
    settled = 0
    for sku_id in due:
        async with db.session() as session:
            try:
                if await settle(session, sku_id, at, min_margin_bps):
                    await session.commit()
                    settled += 1
            except _Stale:  # an operator changed its prices meanwhile: next turn
                await session.rollback()
    return settled


async def settle(session: AsyncSession, sku_id: UUID, at: datetime, min_margin_bps: int) -> bool:
    """Move the SKU's due changes (pending → active or refused, active → ended) and set the
    price that applies at `at`. False if another scheduler moved them first."""
    found = await sku(session, sku_id)
    starting = list(
        await session.scalars(
            select(PriceSchedule)
            .where(
                PriceSchedule.sku_id == sku_id,
                PriceSchedule.state == ScheduleState.PENDING,
                PriceSchedule.starts_at <= at,
            )
            .order_by(PriceSchedule.starts_at, PriceSchedule.id)
        )
    )
    refused = [
        s.id
        for s in starting
        if s.override_by is None
        and rules.below_floor(s.amount, found.cost_amount, min_margin_bps) is not None
    ]
    started = [s for s in starting if s.id not in refused]
    pending = frozenset({ScheduleState.PENDING})
    moved = await _move(session, refused, pending, ScheduleState.REFUSED, at)
    for change in starting:
        if change.id in refused:
            log.warning("scheduled price %s refused at its start: below the margin", change.id)
    moved += await _move(session, [s.id for s in started], pending, ScheduleState.ACTIVE, at)
    ending = list(
        await session.scalars(
            select(PriceSchedule).where(
                PriceSchedule.sku_id == sku_id,
                PriceSchedule.state == ScheduleState.ACTIVE,
                PriceSchedule.ends_at <= at,
            )
        )
    )
    active = frozenset({ScheduleState.ACTIVE})
    moved += await _move(session, [s.id for s in ending], active, ScheduleState.ENDED, at)
    if moved != len(starting) + len(ending):
        await session.rollback()  # another scheduler is on this SKU
        return False
    if not started and not ending:
        return bool(refused)
    boundaries = [s.starts_at for s in started] + [s.ends_at for s in ending if s.ends_at]
    last_start = max(started, key=lambda s: (s.starts_at, s.created_at, s.id)) if started else None
    await _apply(
        session,
        found,
        list_amount=found.list_amount,
        sale_amount=found.sale_amount,
        cost_amount=found.cost_amount,
        source=PriceSource.SCHEDULE_STARTED if started else PriceSource.SCHEDULE_ENDED,
        at=at,
        effective_at=max(boundaries),
        by=None,
        schedule_id=last_start.id if last_start else ending[-1].id,
        override=(
            Override(last_start.override_by, last_start.override_reason or "")
            if last_start is not None and last_start.override_by is not None
            else None
        ),
    )
    return True


# --- helpers ---------------------------------------------------------------------------------


def _due(at: datetime):
    return or_(
        (PriceSchedule.state == ScheduleState.PENDING) & (PriceSchedule.starts_at <= at),
        (PriceSchedule.state == ScheduleState.ACTIVE) & (PriceSchedule.ends_at <= at),
    )


async def _move(
    session: AsyncSession,
    ids: list[UUID],
    leaves: frozenset[ScheduleState],
    reaches: ScheduleState,
    at: datetime,
) -> int:
    if not ids:
        return 0
    values: dict = {"state": reaches}
    if reaches != ScheduleState.ACTIVE:
        values["settled_at"] = at
    done = await session.execute(
        update(PriceSchedule)
        .where(PriceSchedule.id.in_(ids), PriceSchedule.state.in_(leaves))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return done.rowcount


async def _apply(
    session: AsyncSession,
    found: Sku,
    *,
    list_amount: int,
    sale_amount: int | None,
    cost_amount: int | None,
    source: PriceSource,
    at: datetime,
    effective_at: datetime,
    by: UUID | None,
    schedule_id: UUID | None = None,
    override: Override | None = None,
) -> None:
    """Write the SKU's prices over the version `found` was read at, the price that now
    applies (base or scheduled), the product's from price, the history row and the event."""
    windows = [
        s.window
        for s in await session.scalars(
            select(PriceSchedule).where(
                PriceSchedule.sku_id == found.id, PriceSchedule.state == ScheduleState.ACTIVE
            )
        )
    ]
    price = rules.resolve(rules.base_price(list_amount, sale_amount), windows, at).amount
    done = await session.execute(
        update(Sku)
        .where(Sku.id == found.id, Sku.price_version == found.price_version)
        .values(
            list_amount=list_amount,
            sale_amount=sale_amount,
            cost_amount=cost_amount,
            price_amount=price,
            price_version=Sku.price_version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        raise _Stale()
    await session.execute(
        update(Product)
        .where(Product.id == found.product_id)
        .values(
            price_amount=select(func.min(Sku.price_amount))
            .where(Sku.product_id == found.product_id, Sku.listed.is_(True))
            .scalar_subquery(),
            updated_at=at,
        )
        .execution_options(synchronize_session=False)
    )
    session.add(
        PriceRecord(
            sku_id=found.id,
            source=source,
            currency=found.currency,
            old_amount=found.price_amount,
            amount=price,
            list_amount=list_amount,
            sale_amount=sale_amount,
            cost_amount=cost_amount,
            schedule_id=schedule_id,
            by=by,
            override_by=override.by if override else None,
            reason=override.reason if override else None,
            effective_at=effective_at,
        )
    )
    if price != found.price_amount or list_amount != found.list_amount:
        await outbox.add(
            session,
            PriceChanged(
                product_id=found.product_id,
                sku_id=found.id,
                old_price=found.price,
                new_price=Money(amount=price, currency=found.currency),
                list_price=Money(amount=list_amount, currency=found.currency),
                effective_at=effective_at,
            ),
        )


async def _retrying(session: AsyncSession, attempt: Callable[[], Awaitable[T]]) -> T:
    for _ in range(ATTEMPTS):
        try:
            return await attempt()
        except _Stale:
            await session.rollback()
    raise Conflict("The SKU's prices keep changing under this change; try again.")


def _same_currency(found: Sku, money: Money, field: str) -> None:
    if money.currency != found.currency:
        raise InvalidInput(f"{field}.currency", f"this SKU is priced in {found.currency}")
