"""Fulfilment routes: an operator ships a paid order; the customer confirms its receipt."""

from uuid import UUID

from fastapi import APIRouter, status

from chassis.auth.deps import OperatorDep, PrincipalDep
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from services.orders.checkout.schemas import OrderOut
from services.orders.fulfilment import service
from services.orders.fulfilment.schemas import ShipmentOut, ShipmentRequest

router = APIRouter(prefix="/orders", tags=["fulfilment"])


@router.post(
    "/{order_id}/shipments",
    status_code=status.HTTP_201_CREATED,
    summary="Ship a paid order, whole, with its carrier and tracking number",
    responses=responses(401, 403, 404, 409, 422),
)
async def ship_order(
    order_id: UUID, body: ShipmentRequest, session: SessionDep, operator: OperatorDep
) -> ShipmentOut:
    shipment = await service.ship(session, order_id, body, operator.user_id)
    await session.commit()
    return ShipmentOut.model_validate(shipment)


@router.post(
    "/{order_id}/receipt",
    summary="Confirm receipt of one's shipped order (确认收货)",
    responses=responses(401, 404, 409, 422),
)
async def confirm_receipt(order_id: UUID, session: SessionDep, customer: PrincipalDep) -> OrderOut:
    order = await service.confirm_receipt(session, order_id, customer.user_id)
    await session.commit()
    return OrderOut.model_validate(order)
