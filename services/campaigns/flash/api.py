"""Flash-sale routes: operators set up sessions; customers reserve; anyone sees what is left."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request, status

from chassis.auth.deps import OperatorDep, PrincipalDep
from chassis.db import Database
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from chassis.idempotency import IdempotencyDep
from services.campaigns.flash import holds, service
from services.campaigns.flash.lifecycle import HoldState, refusal
from services.campaigns.flash.schemas import (
    ItemOut,
    ItemStockOut,
    ReservationOut,
    ReservationRequest,
    SessionOut,
    SessionRequest,
    SessionStockOut,
)
from services.campaigns.flash.sessions import SessionCache, SessionTerms
from services.campaigns.flash.stock import FlashStock

router = APIRouter(prefix="/flash", tags=["flash sales"])


# Coroutines, not plain functions: FastAPI runs a plain function dependency in a thread,
# two thread hops per reservation on the hottest route of the service.
async def _stock(request: Request) -> FlashStock:
    return request.app.state.flash_stock


async def _sessions(request: Request) -> SessionCache:
    return request.app.state.flash_sessions


async def _database(request: Request) -> Database:
    return request.app.state.db


StockDep = Annotated[FlashStock, Depends(_stock)]
SessionsDep = Annotated[SessionCache, Depends(_sessions)]
# The reservation routes open a database session only when they need one (the Redis path's
# reservations need none).
DatabaseDep = Annotated[Database, Depends(_database)]


@router.post(
    "/sessions",
    status_code=status.HTTP_201_CREATED,
    summary="Set up a flash session: SKUs, flash prices, flash stock, per-customer limits",
    responses=responses(401, 403, 409, 422),
)
async def create_session(
    body: SessionRequest, session: SessionDep, stock: StockDep, by: OperatorDep
) -> SessionOut:
    flash = await service.create_session(session, body, by.user_id, stock)
    return await _shape(session, flash, stock)


@router.get(
    "/sessions/{session_id}",
    summary="A flash session and the stock left (from Redis when it holds it)",
    responses=responses(404, 422),
)
async def get_session(
    session_id: UUID, session: SessionDep, db: DatabaseDep, stock: StockDep, sessions: SessionsDep
) -> SessionOut:
    return await _shape(session, await sessions.get(db, session_id), stock)


@router.get(
    "/sessions/{session_id}/stock",
    summary="A session's stock as the catalog answered for it: held or refused (with its "
    "reason) per SKU, and what was sold and returned at the end",
    responses=responses(401, 403, 404, 422),
)
async def get_session_stock(
    session_id: UUID, session: SessionDep, _: OperatorDep
) -> SessionStockOut:
    flash = await holds.stock_of(session, session_id)
    return SessionStockOut(
        session_id=flash.id,
        state=flash.state,
        ended_at=flash.ended_at,
        items=[
            ItemStockOut(
                sku_id=item.sku_id,
                stock=item.stock,
                hold=item.hold,
                available=item.hold_available,
                refusal=refusal(item.sku_id, item.stock, item.hold_available)
                if item.hold == HoldState.REFUSED
                else None,
                sold=item.sold,
                returned=item.returned,
            )
            for item in flash.items
        ],
    )


@router.post(
    "/sessions/{session_id}/cancel",
    summary="Call a session off (pending or on sale): it takes no more reservations and the "
    "catalog gets back the stock it held for it",
    responses=responses(401, 403, 404, 409, 422),
)
async def cancel_session(
    session_id: UUID,
    session: SessionDep,
    db: DatabaseDep,
    stock: StockDep,
    sessions: SessionsDep,
    _: OperatorDep,
) -> SessionOut:
    await holds.cancel(session, session_id)
    sessions.forget(session_id)
    return await _shape(session, await sessions.get(db, session_id), stock)


@router.post(
    "/{session_id}/reservations",
    status_code=status.HTTP_201_CREATED,
    summary="Reserve flash stock at the flash price (within the per-customer limit); a retry "
    "with the same Idempotency-Key answers as the first",
    responses=responses(401, 404, 409, 422),
)
async def reserve(
    session_id: UUID,
    body: ReservationRequest,
    db: DatabaseDep,
    stock: StockDep,
    sessions: SessionsDep,
    customer: PrincipalDep,
    idempotency: IdempotencyDep,
) -> ReservationOut:
    return await service.reserve(
        db, stock, sessions, idempotency, session_id, customer.user_id, body
    )


@router.get(
    "/reservations/{reservation_id}",
    summary="One of the signed-in customer's flash reservations (`voided` once its session "
    "was cancelled: no longer orderable)",
    responses=responses(401, 404, 422),
)
async def get_reservation(
    reservation_id: UUID, db: DatabaseDep, stock: StockDep, customer: PrincipalDep
) -> ReservationOut:
    return await service.my_reservation(db, stock, reservation_id, customer.user_id)


async def _shape(session, flash: SessionTerms, stock: FlashStock) -> SessionOut:
    left = await stock.left(session, list(flash.items))
    return SessionOut(
        id=flash.id,
        name=flash.name,
        campaign_id=flash.campaign_id,
        starts_at=flash.starts_at,
        ends_at=flash.ends_at,
        reservation_minutes=flash.reservation_minutes,
        state=flash.state,
        items=[
            ItemOut(
                sku_id=item.sku_id,
                flash_price=item.flash_price,
                stock=item.stock,
                left=left[item.id],
                per_user_limit=item.per_user_limit,
                stopped_at=item.stopped_at,
            )
            for item in flash.items
        ],
    )
