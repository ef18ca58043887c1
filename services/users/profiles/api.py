"""Routes of profiles: the caller's profile, and operators' search of users."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from chassis.auth import Role
from chassis.auth.deps import OperatorDep, PrincipalDep
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from chassis.pagination import Page, PageDep
from contracts.users import LifecycleStage, Tier
from services.users.profiles import service
from services.users.profiles.schemas import MeOut, ProfilePatch, UserSummary

router = APIRouter(tags=["users"])


@router.get("/me", summary="The caller's profile", responses=responses(401, 404))
async def me(principal: PrincipalDep, session: SessionDep) -> MeOut:
    return await service.view(session, principal.user_id)


@router.patch(
    "/me",
    summary="Change the caller's profile and marketing consent (null clears a field)",
    responses=responses(401, 404, 422),
)
async def update_me(body: ProfilePatch, principal: PrincipalDep, session: SessionDep) -> MeOut:
    await service.update(session, principal.user_id, body)
    return await service.view(session, principal.user_id)


@router.get("/users", summary="Search users (operators)", responses=responses(401, 403, 422))
async def search(
    _: OperatorDep,
    session: SessionDep,
    page: PageDep,
    email: Annotated[
        str | None, Query(max_length=320, description="The email starts with this, any case")
    ] = None,
    role: Annotated[Role | None, Query(description="Holds this role")] = None,
    stage: Annotated[LifecycleStage | None, Query(description="In this lifecycle stage")] = None,
    tier: Annotated[Tier | None, Query(description="Holds this membership tier")] = None,
    tag: Annotated[
        str | None, Query(max_length=200, description="Holds this interest tag, of either origin")
    ] = None,
    segment: Annotated[UUID | None, Query(description="Is a member of this segment")] = None,
) -> Page[UserSummary]:
    users, next_cursor = await service.search(session, email, role, page, stage, tier, tag, segment)
    return Page(
        items=[UserSummary.model_validate(u, from_attributes=True) for u in users],
        next_cursor=next_cursor,
    )
