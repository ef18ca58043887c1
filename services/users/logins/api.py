"""Routes of logins: log in, refresh, log out."""

from fastapi import APIRouter, status

from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from services.users.logins import service
from services.users.logins.schemas import Credentials, RefreshRequest, TokenResponse
from services.users.settings import SettingsDep

router = APIRouter(tags=["auth"])


@router.post("/auth/token", summary="Log in with email and password", responses=responses(401, 422))
async def token(body: Credentials, session: SessionDep, settings: SettingsDep) -> TokenResponse:
    pair = await service.log_in(session, body.email, body.password, settings)
    return TokenResponse(**pair.__dict__)


@router.post(
    "/auth/refresh",
    summary="Exchange a refresh token for new tokens (the old one stops working)",
    responses=responses(401, 422),
)
async def refresh(
    body: RefreshRequest, session: SessionDep, settings: SettingsDep
) -> TokenResponse:
    pair = await service.refresh(session, body.refresh_token, settings)
    return TokenResponse(**pair.__dict__)


@router.post(
    "/auth/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="End the login that a refresh token belongs to",
)
async def logout(body: RefreshRequest, session: SessionDep) -> None:
    await service.logout(session, body.refresh_token)
