"""Inventory routes: stock per SKU, its ledger, adjustments, and the saga's reservations."""

from uuid import UUID

from fastapi import APIRouter

from chassis.auth.deps import OperatorDep
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from chassis.pagination import Page, PageDep, fetch_page
from services.catalog.inventory import service
from services.catalog.inventory.models import LedgerEntry, LedgerReason, StockLevel
from services.catalog.inventory.schemas import (
    Adjustment,
    FlashHoldOut,
    LedgerEntryOut,
    ReservationLineOut,
    ReservationOut,
    ReturnOut,
    StockOut,
    Threshold,
)

router = APIRouter(prefix="/inventory", tags=["inventory"])


def _out(level: StockLevel) -> StockOut:
    return StockOut(
        sku_id=level.sku_id,
        on_hand=level.on_hand,
        reserved=level.reserved,
        held=level.held,
        available=level.available,
        low_stock_threshold=level.low_stock_threshold,
        low=level.available <= level.low_stock_threshold,
    )


@router.get("/skus/{sku_id}", summary="A SKU's stock", responses=responses(401, 403, 404, 422))
async def get_stock(sku_id: UUID, session: SessionDep, by: OperatorDep) -> StockOut:
    return _out(await service.level(session, sku_id))


@router.post(
    "/skus/{sku_id}/adjustments",
    summary="Change on-hand by hand (receipt, return, damage, count), recorded in the ledger",
    responses=responses(401, 403, 404, 409, 422),
)
async def adjust_stock(
    sku_id: UUID, body: Adjustment, session: SessionDep, by: OperatorDep
) -> StockOut:
    level = await service.adjust(
        session, sku_id, body.delta, LedgerReason(body.reason), body.note, by.user_id
    )
    return _out(level)


@router.put(
    "/skus/{sku_id}/threshold",
    summary="Set a SKU's low-stock threshold",
    responses=responses(401, 403, 404, 422),
)
async def set_threshold(
    sku_id: UUID, body: Threshold, session: SessionDep, by: OperatorDep
) -> StockOut:
    return _out(await service.set_threshold(session, sku_id, body.low_stock_threshold))


@router.get(
    "/skus/{sku_id}/ledger",
    summary="Every change of a SKU's on-hand, newest first (they sum to on-hand)",
    responses=responses(401, 403, 404, 422),
)
async def ledger(
    sku_id: UUID, session: SessionDep, page: PageDep, by: OperatorDep
) -> Page[LedgerEntryOut]:
    await service.level(session, sku_id)
    rows, next_cursor = await fetch_page(
        session,
        service.ledger_query(sku_id),
        key=[LedgerEntry.created_at, LedgerEntry.id],
        page=page,
    )
    items = [LedgerEntryOut.model_validate(row, from_attributes=True) for row in rows]
    return Page(items=items, next_cursor=next_cursor)


@router.get(
    "/reservations/{order_id}",
    summary="The stock held, confirmed or released for an order",
    responses=responses(401, 403, 404, 422),
)
async def get_reservation(order_id: UUID, session: SessionDep, by: OperatorDep) -> ReservationOut:
    reservation, lines = await service.reservation(session, order_id)
    return ReservationOut(
        order_id=reservation.order_id,
        state=reservation.state,
        expires_at=reservation.expires_at,
        expired=reservation.expired,
        created_at=reservation.created_at,
        settled_at=reservation.settled_at,
        lines=[ReservationLineOut.model_validate(x, from_attributes=True) for x in lines],
    )


@router.get(
    "/orders/{order_id}/returns",
    summary="What refunds of an order brought back: pending until its sale is in, then "
    "settled (or void, if it was never sold)",
    responses=responses(401, 403, 422),
)
async def order_returns(order_id: UUID, session: SessionDep, by: OperatorDep) -> list[ReturnOut]:
    return [
        ReturnOut.model_validate(row, from_attributes=True)
        for row in await service.returns_of(session, order_id)
    ]


@router.get(
    "/flash-sessions/{session_id}/holds",
    summary="The stock held for a flash session, per SKU: drawn by its orders, returned "
    "when it ended (or refused)",
    responses=responses(401, 403, 422),
)
async def flash_holds(session_id: UUID, session: SessionDep, by: OperatorDep) -> list[FlashHoldOut]:
    return [
        FlashHoldOut.model_validate(row, from_attributes=True)
        for row in await service.holds_of(session, session_id)
    ]
