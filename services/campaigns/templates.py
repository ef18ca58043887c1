"""What the mechanics' templates share: an operator sets one up, optionally in a campaign
that exists, and anyone reads it by id (coupons, group buys and bargains alike)."""

from collections.abc import Awaitable, Callable
from typing import TypeVar
from uuid import UUID

from fastapi import APIRouter, status
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth.deps import OperatorDep
from chassis.http.deps import SessionDep
from chassis.http.problems import InvalidInput, NotFound, responses
from services.campaigns.calendar.models import Campaign
from services.campaigns.models import Base

T = TypeVar("T", bound=Base)


async def save(session: AsyncSession, template: T, campaign_id: UUID | None) -> T:
    """Commit a new template; a 422 on `body.campaign_id` naming a campaign that is not."""
    if campaign_id is not None and await session.get(Campaign, campaign_id) is None:
        raise InvalidInput("body.campaign_id", f"no campaign {campaign_id}")
    session.add(template)
    await session.commit()
    return template


async def find(session: AsyncSession, model: type[T], template_id: UUID, noun: str) -> T:
    template = await session.get(model, template_id)
    if template is None:
        raise NotFound(f"No {noun} template {template_id}.")
    return template


def add_routes(
    router: APIRouter,
    path: str,
    *,
    request: type[BaseModel],
    out: type[BaseModel],
    create: Callable[[AsyncSession, BaseModel, UUID], Awaitable[Base]],
    get: Callable[[AsyncSession, UUID], Awaitable[Base]],
    create_summary: str,
    get_summary: str,
) -> None:
    """`POST {path}` (operators) and `GET {path}/{template_id}` (anyone) on `router`."""

    @router.post(
        path,
        status_code=status.HTTP_201_CREATED,
        response_model=out,
        summary=create_summary,
        responses=responses(401, 403, 422),
    )
    async def create_template(body: request, session: SessionDep, by: OperatorDep):  # type: ignore[valid-type]
        return out.model_validate(await create(session, body, by.user_id))

    @router.get(
        f"{path}/{{template_id}}",
        response_model=out,
        summary=get_summary,
        responses=responses(404, 422),
    )
    async def get_template(template_id: UUID, session: SessionDep):
        return out.model_validate(await get(session, template_id))
