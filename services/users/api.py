"""Users routes: registration, tokens, the caller's profile, the JWKS."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status

from chassis.auth.deps import AdminDep, PrincipalDep
from chassis.http.deps import SessionDep
from chassis.http.problems import NotFound, Unauthorized, responses
from services.users import accounts, sessions, signing
from services.users.models import OrderStats, User
from services.users.schemas import (
    Credentials,
    OrderSummary,
    RefreshRequest,
    Registration,
    TokenResponse,
    UserOut,
)
from services.users.settings import Settings

router = APIRouter(tags=["users"])


def _settings(request: Request) -> Settings:
    return request.app.state.runtime.settings


SettingsDep = Annotated[Settings, Depends(_settings)]


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    summary="Create a customer account",
    responses=responses(409, 422),
)
async def register(body: Registration, session: SessionDep) -> UserOut:
    user = await accounts.register(session, body.email, body.password, body.display_name)
    return UserOut.model_validate(user, from_attributes=True)


@router.post(
    "/auth/token",
    summary="Log in with email and password",
    responses=responses(401, 422),
    tags=["auth"],
)
async def token(body: Credentials, session: SessionDep, settings: SettingsDep) -> TokenResponse:
    user = await accounts.authenticate(session, body.email, body.password)
    if user is None:
        raise Unauthorized("Unknown email or wrong password.")
    pair = await sessions.issue(session, user, settings)
    await session.commit()
    return TokenResponse(**pair.__dict__)


@router.post(
    "/auth/refresh",
    summary="Exchange a refresh token for new tokens (the old one stops working)",
    responses=responses(401, 422),
    tags=["auth"],
)
async def refresh(
    body: RefreshRequest, session: SessionDep, settings: SettingsDep
) -> TokenResponse:
    pair = await sessions.refresh(session, body.refresh_token, settings)
    return TokenResponse(**pair.__dict__)


@router.post(
    "/auth/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="End the login that a refresh token belongs to",
    tags=["auth"],
)
async def logout(body: RefreshRequest, session: SessionDep) -> None:
    await sessions.logout(session, body.refresh_token)


@router.get(
    "/.well-known/jwks.json", summary="Public keys that verify access tokens", tags=["auth"]
)
async def jwks(session: SessionDep) -> dict:
    return signing.jwks(await signing.active_keys(session))


@router.post(
    "/auth/keys/rotate",
    summary="Start signing with a new key (previous key stays published)",
    responses=responses(401, 403),
    tags=["auth"],
)
async def rotate_key(request: Request, session: SessionDep, _: AdminDep) -> dict:
    key = await signing.rotate(session)
    published = signing.jwks(await signing.active_keys(session))
    request.app.state.jwks.preload(published)
    return {"kid": key.kid}


@router.get("/me", summary="The caller's profile", responses=responses(401, 404))
async def me(principal: PrincipalDep, session: SessionDep) -> UserOut:
    user = await session.get(User, principal.user_id)
    if user is None:
        raise NotFound("The account no longer exists.")
    out = UserOut.model_validate(user, from_attributes=True)
    stats = await session.get(OrderStats, principal.user_id)
    if stats is not None:
        out.orders = OrderSummary(
            order_count=stats.order_count,
            total_spent={"amount": stats.total_spent, "currency": stats.currency},
            last_order_at=stats.last_order_at,
        )
    return out
