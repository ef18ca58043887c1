"""Pricing routes: operators set and schedule SKU prices within the margin guard; admins
override it with a reason; the history and the overrides are there to read."""

from uuid import UUID

from fastapi import APIRouter, status
from sqlalchemy import select

from chassis.auth.deps import AdminDep, OperatorDep
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from chassis.money import MAX_AMOUNT, Money
from chassis.pagination import Page, PageDep, fetch_page
from services.catalog.pricing import rules, service
from services.catalog.pricing.models import PriceRecord, PriceSchedule
from services.catalog.pricing.schemas import (
    OverriddenPrices,
    OverriddenScheduleIn,
    PriceRecordOut,
    Prices,
    PricingOut,
    ScheduleIn,
    ScheduleOut,
)
from services.catalog.pricing.service import Override
from services.catalog.products.models import Sku
from services.catalog.settings import SettingsDep

router = APIRouter(prefix="/pricing", tags=["pricing"])

CHANGE_ERRORS = responses(401, 403, 404, 409, 422)


async def _pricing(session, sku: Sku, min_margin_bps: int) -> PricingOut:
    lowest = None if sku.cost_amount is None else rules.floor(sku.cost_amount, min_margin_bps)
    return PricingOut(
        sku_id=sku.id,
        product_id=sku.product_id,
        price=sku.price,
        list_price=sku.list_price,
        sale_price=sku.sale_price,
        cost=sku.cost,
        margin_bps=None
        if sku.cost_amount is None
        else rules.margin_bps(sku.price_amount, sku.cost_amount),
        # A cost so high that no price within the money limit keeps the margin has no floor.
        floor=None
        if lowest is None or lowest > MAX_AMOUNT
        else Money(amount=lowest, currency=sku.currency),
        scheduled=[_schedule(s) for s in await service.scheduled(session, sku.id)],
    )


def _schedule(change: PriceSchedule) -> ScheduleOut:
    return ScheduleOut.model_validate(
        {
            **{f: getattr(change, f) for f in ScheduleOut.model_fields if f != "price"},
            "price": change.price,
        }
    )


@router.get(
    "/skus/{sku_id}",
    summary="A SKU's prices: now, list, sale, cost, margin, the guard's floor, what is scheduled",
    responses=responses(401, 403, 404, 422),
)
async def get_pricing(
    sku_id: UUID, session: SessionDep, settings: SettingsDep, by: OperatorDep
) -> PricingOut:
    return await _pricing(session, await service.sku(session, sku_id), settings.min_margin_bps)


@router.put(
    "/skus/{sku_id}",
    summary="Set a SKU's list and sale price (and cost) now; a price below cost plus the "
    "minimum margin is refused (422 margin-guard)",
    responses=CHANGE_ERRORS,
)
async def set_prices(
    sku_id: UUID, body: Prices, session: SessionDep, settings: SettingsDep, by: OperatorDep
) -> PricingOut:
    sku = await service.set_prices(session, sku_id, body, by.user_id, settings.min_margin_bps)
    return await _pricing(session, sku, settings.min_margin_bps)


@router.put(
    "/skus/{sku_id}/override",
    summary="Set a SKU's prices below the margin guard (admins), with the reason: audited",
    responses=CHANGE_ERRORS,
)
async def override_prices(
    sku_id: UUID, body: OverriddenPrices, session: SessionDep, settings: SettingsDep, by: AdminDep
) -> PricingOut:
    prices = Prices.model_validate(body.model_dump(exclude={"reason"}))
    sku = await service.set_prices(
        session,
        sku_id,
        prices,
        by.user_id,
        settings.min_margin_bps,
        Override(by.user_id, body.reason),
    )
    return await _pricing(session, sku, settings.min_margin_bps)


@router.post(
    "/skus/{sku_id}/schedules",
    status_code=status.HTTP_201_CREATED,
    summary="Schedule a price from a start until an end; the scheduler applies it on time",
    responses=CHANGE_ERRORS,
)
async def schedule(
    sku_id: UUID, body: ScheduleIn, session: SessionDep, settings: SettingsDep, by: OperatorDep
) -> ScheduleOut:
    change = await service.schedule(session, sku_id, body, by.user_id, settings.min_margin_bps)
    return _schedule(change)


@router.post(
    "/skus/{sku_id}/schedules/override",
    status_code=status.HTTP_201_CREATED,
    summary="Schedule a price below the margin guard (admins), with the reason: audited",
    responses=CHANGE_ERRORS,
)
async def schedule_overridden(
    sku_id: UUID,
    body: OverriddenScheduleIn,
    session: SessionDep,
    settings: SettingsDep,
    by: AdminDep,
) -> ScheduleOut:
    change = await service.schedule(
        session,
        sku_id,
        ScheduleIn.model_validate(body.model_dump(exclude={"reason"})),
        by.user_id,
        settings.min_margin_bps,
        Override(by.user_id, body.reason),
    )
    return _schedule(change)


@router.post(
    "/schedules/{schedule_id}/cancel",
    summary="Cancel a pending or active scheduled change (an active one's price ends at once)",
    responses=CHANGE_ERRORS,
)
async def cancel(schedule_id: UUID, session: SessionDep, by: OperatorDep) -> ScheduleOut:
    return _schedule(await service.cancel(session, schedule_id, by.user_id))


@router.get(
    "/skus/{sku_id}/history",
    summary="Every change of a SKU's prices, newest first",
    responses=responses(401, 403, 404, 422),
)
async def history(
    sku_id: UUID, session: SessionDep, page: PageDep, by: OperatorDep
) -> Page[PriceRecordOut]:
    await service.sku(session, sku_id)
    return await _records(session, select(PriceRecord).where(PriceRecord.sku_id == sku_id), page)


@router.get(
    "/overrides",
    summary="The audit of margin-guard overrides: who set which price below it and why",
    responses=responses(401, 403, 422),
)
async def overrides(session: SessionDep, page: PageDep, by: OperatorDep) -> Page[PriceRecordOut]:
    statement = select(PriceRecord).where(PriceRecord.override_by.is_not(None))
    return await _records(session, statement, page)


async def _records(session, statement, page) -> Page[PriceRecordOut]:
    rows, next_cursor = await fetch_page(
        session, statement, key=[PriceRecord.recorded_at, PriceRecord.id], page=page
    )
    items = [PriceRecordOut.model_validate(row, from_attributes=True) for row in rows]
    return Page(items=items, next_cursor=next_cursor)
