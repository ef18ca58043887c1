"""Routes of password resets (no sign-in: the token is the credential)."""

from fastapi import APIRouter, Response, status

from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from services.users.resets import service
from services.users.resets.schemas import ResetConfirmIn, ResetRequestIn
from services.users.settings import SettingsDep

router = APIRouter(tags=["accounts"])


@router.post(
    "/password-reset",
    status_code=status.HTTP_202_ACCEPTED,
    response_class=Response,  # no body: the same empty answer whether the account exists
    summary="Mail a password reset token to an account's address (202 whether it exists or not)",
    responses=responses(422),
)
async def request_reset(
    body: ResetRequestIn, session: SessionDep, settings: SettingsDep
) -> Response:
    await service.request(session, body.email, settings.password_reset_lifetime)
    return Response(status_code=status.HTTP_202_ACCEPTED)


@router.post(
    "/password-reset/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Set a new password with a reset token: once, before it expires; ends every login",
    responses=responses(422),
)
async def confirm_reset(body: ResetConfirmIn, session: SessionDep) -> Response:
    await service.confirm(session, body.token, body.new_password)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
