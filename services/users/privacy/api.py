"""Routes of privacy: the caller's own export and erasure (no route takes an id)."""

from typing import Annotated, Any

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, ConfigDict, StringConstraints

from chassis.auth.deps import PrincipalDep
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from services.users.privacy import service

router = APIRouter(tags=["privacy"])


class EraseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: Annotated[str, StringConstraints(min_length=1, max_length=200)]


@router.get(
    "/me/export",
    summary="Everything this service keeps about the caller, as JSON",
    responses=responses(401),
)
async def export(principal: PrincipalDep, session: SessionDep) -> dict[str, Any]:
    return await service.export(session, principal.user_id)


@router.post(
    "/me/erase",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Erase the caller's personal data (confirmed by their password); publishes user.erased",
    description="The email, name, profile, consents, logins, reset tokens and invite code "
    "go; the points ledger and paid orders stay, anonymous. 409 if already erased.",
    responses=responses(401, 409, 422),
)
async def erase(body: EraseIn, principal: PrincipalDep, session: SessionDep) -> Response:
    await service.erase(session, principal.user_id, body.password)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
