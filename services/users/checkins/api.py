"""Routes of check-ins."""

from fastapi import APIRouter, status

from chassis.auth.deps import PrincipalDep
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from services.users.checkins import service
from services.users.checkins.schemas import CheckInOut

router = APIRouter(tags=["points"])


@router.post(
    "/me/check-ins",
    status_code=status.HTTP_201_CREATED,
    summary="Check in for today (in the caller's time zone); streaks earn more points",
    responses=responses(401, 409),
)
async def check_in(principal: PrincipalDep, session: SessionDep) -> CheckInOut:
    made = await service.check_in(session, principal.user_id)
    return CheckInOut.model_validate(made, from_attributes=True)
