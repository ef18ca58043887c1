"""Routes of interest tags: a user's tags with their evidence, operators' manual tags."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Response
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth.deps import OperatorDep
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from services.users.accounts import service as accounts
from services.users.tags import service
from services.users.tags.rules import MAX_TAG
from services.users.tags.schemas import EvidenceOut, TagChangeOut, TagOut, UserTagsOut

router = APIRouter(tags=["tags"])

TagPath = Annotated[str, Path(min_length=1, max_length=4 * MAX_TAG, description="The tag")]


async def _tags(session: AsyncSession, user_id: UUID) -> UserTagsOut:
    return UserTagsOut(
        user_id=user_id,
        tags=[TagOut.model_validate(t) for t in await service.held(session, user_id)],
        evidence=[EvidenceOut.model_validate(e) for e in await service.evidence(session, user_id)],
        changes=[TagChangeOut.model_validate(c) for c in await service.changes(session, user_id)],
        next_drop_at=await service.next_drop(session, user_id),
    )


@router.get(
    "/users/{user_id}/tags",
    summary="A user's interest tags, their evidence and the audit of manual ones (operators)",
    responses=responses(401, 403, 404, 422),
)
async def user_tags(user_id: UUID, _: OperatorDep, session: SessionDep) -> UserTagsOut:
    await accounts.get(session, user_id)
    return await _tags(session, user_id)


@router.put(
    "/users/{user_id}/tags/{tag}",
    summary="Tag a user by hand (operators; audited). 201 if new, 200 if already held",
    responses={
        200: {"model": UserTagsOut, "description": "Held already: nothing changed"},
        **responses(401, 403, 404, 422),
    },
    status_code=201,
)
async def add_tag(
    user_id: UUID, tag: TagPath, by: OperatorDep, session: SessionDep, response: Response
) -> UserTagsOut:
    if not await service.add_manual(session, user_id, tag, by.user_id):
        response.status_code = 200
    return await _tags(session, user_id)


@router.delete(
    "/users/{user_id}/tags/{tag}",
    summary="Take a manual tag off a user (operators; audited); system tags follow evidence",
    responses=responses(401, 403, 404, 422),
    status_code=204,
)
async def remove_tag(user_id: UUID, tag: TagPath, by: OperatorDep, session: SessionDep) -> None:
    await service.remove_manual(session, user_id, tag, by.user_id)
