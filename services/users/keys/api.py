"""Routes of signing keys: the JWKS and rotation."""

from fastapi import APIRouter, Request

from chassis.auth.deps import AdminDep
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from services.users.keys import service, signing
from services.users.keys.schemas import RotatedKey

router = APIRouter(tags=["auth"])


@router.get("/.well-known/jwks.json", summary="Public keys that verify access tokens")
async def jwks(session: SessionDep) -> dict:
    return signing.jwks(await service.active_keys(session))


@router.post(
    "/auth/keys/rotate",
    summary="Start signing with a new key (previous key stays published)",
    responses=responses(401, 403),
)
async def rotate_key(request: Request, session: SessionDep, _: AdminDep) -> RotatedKey:
    key = await service.rotate(session)
    request.app.state.jwks.preload(signing.jwks(await service.active_keys(session)))
    return RotatedKey(kid=key.kid)
