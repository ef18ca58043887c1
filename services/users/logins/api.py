"""Routes of logins: log in, refresh, log out, password change, the caller's sessions."""

from uuid import UUID

from fastapi import APIRouter, status

from chassis.auth.deps import PrincipalDep
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from chassis.pagination import Page, PageDep
from services.users.logins import service
from services.users.logins.schemas import (
    Credentials,
    PasswordChange,
    RefreshRequest,
    SessionOut,
    TokenResponse,
)
from services.users.settings import SettingsDep

router = APIRouter(tags=["auth"])


@router.post(
    "/auth/token", summary="Log in with email and password", responses=responses(401, 422, 423)
)
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


@router.post(
    "/me/password",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Change the caller's password (every login of the account ends)",
    responses=responses(401, 404, 422, 423),
    tags=["users"],
)
async def change_password(
    body: PasswordChange, principal: PrincipalDep, session: SessionDep, settings: SettingsDep
) -> None:
    await service.change_password(
        session, principal.user_id, body.old_password, body.new_password, settings
    )


@router.get(
    "/me/sessions",
    summary="The caller's logins that are still live, newest first",
    responses=responses(401, 422),
    tags=["users"],
)
async def sessions(principal: PrincipalDep, session: SessionDep, page: PageDep) -> Page[SessionOut]:
    tokens, next_cursor = await service.sessions(session, principal.user_id, page)
    return Page(
        items=[
            SessionOut(
                id=t.family_id,
                started_at=t.started_at,
                refreshed_at=t.created_at,
                expires_at=t.expires_at,
            )
            for t in tokens
        ],
        next_cursor=next_cursor,
    )


@router.delete(
    "/me/sessions/{session_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="End one of the caller's logins (its refresh tokens stop working)",
    responses=responses(401, 404, 422),
    tags=["users"],
)
async def end_session(session_id: UUID, principal: PrincipalDep, session: SessionDep) -> None:
    await service.end_session(session, principal.user_id, session_id)
