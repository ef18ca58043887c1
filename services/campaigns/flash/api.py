"""Flash-sale routes: operators set up sessions; customers reserve; anyone sees what is left."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request, status

from chassis.auth.deps import OperatorDep, PrincipalDep
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from services.campaigns.flash import service
from services.campaigns.flash.schemas import (
    ItemOut,
    ReservationOut,
    ReservationRequest,
    SessionOut,
    SessionRequest,
)
from services.campaigns.flash.sessions import SessionCache, SessionTerms
from services.campaigns.flash.stock import FlashStock

router = APIRouter(prefix="/flash", tags=["flash sales"])


def _stock(request: Request) -> FlashStock:
    return request.app.state.flash_stock


def _sessions(request: Request) -> SessionCache:
    return request.app.state.flash_sessions


StockDep = Annotated[FlashStock, Depends(_stock)]
SessionsDep = Annotated[SessionCache, Depends(_sessions)]


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
    session_id: UUID, session: SessionDep, stock: StockDep, sessions: SessionsDep
) -> SessionOut:
    return await _shape(session, await sessions.get(session, session_id), stock)


@router.post(
    "/{session_id}/reservations",
    status_code=status.HTTP_201_CREATED,
    summary="Reserve flash stock at the flash price (within the per-customer limit)",
    responses=responses(401, 404, 409, 422),
)
async def reserve(
    session_id: UUID,
    body: ReservationRequest,
    session: SessionDep,
    stock: StockDep,
    sessions: SessionsDep,
    customer: PrincipalDep,
) -> ReservationOut:
    reservation = await service.reserve(
        session, stock, sessions, session_id, customer.user_id, body.sku_id, body.quantity
    )
    return ReservationOut.model_validate(reservation)


@router.get(
    "/reservations/{reservation_id}",
    summary="One of the signed-in customer's flash reservations",
    responses=responses(401, 404, 422),
)
async def get_reservation(
    reservation_id: UUID, session: SessionDep, customer: PrincipalDep
) -> ReservationOut:
    reservation = await service.my_reservation(session, reservation_id, customer.user_id)
    return ReservationOut.model_validate(reservation)


async def _shape(session, flash: SessionTerms, stock: FlashStock) -> SessionOut:
    left = await stock.left(session, list(flash.items))
    return SessionOut(
        id=flash.id,
        name=flash.name,
        campaign_id=flash.campaign_id,
        starts_at=flash.starts_at,
        ends_at=flash.ends_at,
        reservation_minutes=flash.reservation_minutes,
        items=[
            ItemOut(
                sku_id=item.sku_id,
                flash_price=item.flash_price,
                stock=item.stock,
                left=left[item.id],
                per_user_limit=item.per_user_limit,
            )
            for item in flash.items
        ],
    )
