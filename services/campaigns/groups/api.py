"""Group-buy routes: operators set up templates; customers open groups, share and join them."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, status

from chassis.auth.deps import PrincipalDep
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from chassis.pagination import Page, PageDep
from services.campaigns import templates
from services.campaigns.groups import service
from services.campaigns.groups.models import Group, GroupMember
from services.campaigns.groups.schemas import (
    GroupOut,
    MembershipOut,
    TemplateOut,
    TemplateRequest,
)

router = APIRouter(tags=["group buys"])

Code = Annotated[str, Path(min_length=1, max_length=32, description="The group's share code")]


templates.add_routes(
    router,
    "/group-templates",
    request=TemplateRequest,
    out=TemplateOut,
    create=service.create_template,
    get=service.get_template,
    create_summary="Set up a group buy: SKU, group size, group price, time limit",
    get_summary="A group-buy template",
)


@router.post(
    "/group-templates/{template_id}/groups",
    status_code=status.HTTP_201_CREATED,
    summary="Open a group of the template (the opener takes seat 1) and get its share code",
    responses=responses(401, 404, 422),
)
async def open_group(
    template_id: UUID, session: SessionDep, customer: PrincipalDep
) -> MembershipOut:
    group = await service.open_group(session, template_id, customer.user_id)
    return _membership(group, await session.get(GroupMember, (group.id, customer.user_id)))


@router.get(
    "/groups/{code}",
    summary="A group by its share code: how full, until when",
    responses=responses(404, 422),
)
async def get_group(code: Code, session: SessionDep) -> GroupOut:
    return GroupOut.model_validate(await service.by_code(session, code))


@router.post(
    "/groups/{code}/members",
    status_code=status.HTTP_201_CREATED,
    summary="Join a group by its share code (409 when full, expired or already joined)",
    responses=responses(401, 404, 409, 422),
)
async def join(code: Code, session: SessionDep, customer: PrincipalDep) -> MembershipOut:
    group, member = await service.join(session, code, customer.user_id)
    return _membership(group, member)


@router.get(
    "/me/groups",
    summary="The groups the signed-in customer opened or joined, newest first",
    responses=responses(401, 422),
)
async def my_groups(
    session: SessionDep, customer: PrincipalDep, page: PageDep
) -> Page[MembershipOut]:
    rows, cursor = await service.my_groups(session, customer.user_id, page)
    return Page(items=[_membership(g, m) for g, m in rows], next_cursor=cursor)


def _membership(group: Group, member: GroupMember) -> MembershipOut:
    return MembershipOut(
        group=GroupOut.model_validate(group),
        seat=member.seat,
        order_id=member.order_id,
        joined_at=member.joined_at,
    )
