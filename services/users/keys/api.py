"""Routes of signing keys: the JWKS and rotation."""

from datetime import timedelta

from fastapi import APIRouter, Request

from chassis.auth.deps import AdminDep
from chassis.auth.tokens import LEEWAY_SECONDS
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from services.users.keys import service, signing
from services.users.keys.schemas import RotatedKey
from services.users.settings import SettingsDep

router = APIRouter(tags=["auth"])


@router.get("/.well-known/jwks.json", summary="Public keys that verify access tokens")
async def jwks(session: SessionDep) -> dict:
    return signing.jwks(await service.active_keys(session))


@router.post(
    "/auth/keys/rotate",
    summary="Start signing with a new key (the keys it replaces stay published while tokens "
    "they signed may still be valid)",
    responses=responses(401, 403),
)
async def rotate_key(
    request: Request, session: SessionDep, settings: SettingsDep, _: AdminDep
) -> RotatedKey:
    lifetime = timedelta(minutes=settings.access_token_minutes, seconds=LEEWAY_SECONDS)
    key = await service.rotate(session, lifetime)
    request.app.state.jwks.preload(signing.jwks(await service.active_keys(session)))
    return RotatedKey(kid=key.kid)
