"""Freight template routes (operators): create, list, activate."""

from uuid import UUID

from fastapi import APIRouter, status
from sqlalchemy import select

from chassis.auth.deps import OperatorDep
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from services.orders.shipping import service
from services.orders.shipping.models import FreightTemplate
from services.orders.shipping.schemas import FreightOut, FreightRequest

router = APIRouter(prefix="/freight-templates", tags=["shipping"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create a freight template (运费模板; it applies once activated)",
    responses=responses(401, 403, 422),
)
async def create(body: FreightRequest, session: SessionDep, operator: OperatorDep) -> FreightOut:
    template = await service.create(session, body, operator.user_id)
    await session.commit()
    return FreightOut.model_validate(template)


@router.get("", summary="Every freight template, newest first", responses=responses(401, 403))
async def list_templates(session: SessionDep, operator: OperatorDep) -> list[FreightOut]:
    rows = await session.scalars(
        select(FreightTemplate).order_by(FreightTemplate.created_at.desc()).limit(200)
    )
    return [FreightOut.model_validate(t) for t in rows]


@router.post(
    "/{template_id}/activate",
    summary="Price every order's shipping by this template from now on",
    responses=responses(401, 403, 404, 422),
)
async def activate(template_id: UUID, session: SessionDep, operator: OperatorDep) -> FreightOut:
    template = await service.activate(session, template_id)
    await session.commit()
    return FreightOut.model_validate(template)
