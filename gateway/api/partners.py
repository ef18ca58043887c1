"""Partner administration: register partners, rotate and revoke their API keys (admins only)."""

from datetime import timedelta
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, status

from chassis.auth.deps import AdminDep
from chassis.clock import now
from chassis.http.deps import SessionDep
from chassis.http.problems import InvalidInput, responses
from gateway import partners
from gateway.models import Partner, PartnerKey
from gateway.schemas import (
    IssuedKey,
    KeyOut,
    KeyRotation,
    PartnerCreate,
    PartnerIssued,
    PartnerOut,
    PartnerPage,
)

router = APIRouter(prefix="/partners", tags=["partners"], responses=responses(401, 403))


def _key(key: PartnerKey) -> KeyOut:
    return KeyOut(
        id=key.id,
        prefix=key.prefix,
        created_at=key.created_at,
        expires_at=key.expires_at,
        revoked_at=key.revoked_at,
        active=key.partner.revoked_at is None and partners.key_is_active(key, now()),
    )


def _partner(partner: Partner) -> PartnerOut:
    return PartnerOut(
        id=partner.id,
        name=partner.name,
        scopes=partner.scopes,
        created_by=partner.created_by,
        created_at=partner.created_at,
        revoked_at=partner.revoked_at,
        keys=[_key(key) for key in partner.keys],
    )


def _forget_cached_keys(request: Request) -> None:
    request.app.state.keys.forget()


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Register a partner and issue its first API key",
    responses=responses(409, 422),
)
async def register(
    body: PartnerCreate, request: Request, session: SessionDep, admin: AdminDep
) -> PartnerIssued:
    scopes = partners.checked_scopes(request.app.state.table, body.scopes)
    partner, key, secret = await partners.register(
        session, name=body.name, scopes=scopes, by=admin.user_id
    )
    return PartnerIssued(
        **_partner(partner).model_dump(), key=IssuedKey(**_key(key).model_dump(), secret=secret)
    )


@router.get("", summary="List partners, oldest first", responses=responses(422))
async def listing(
    session: SessionDep,
    _: AdminDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page")] = None,
) -> PartnerPage:
    try:
        after = UUID(cursor) if cursor else None
    except ValueError:
        raise InvalidInput("cursor", "not a cursor from this listing") from None
    found = await partners.listing(session, limit=limit + 1, after=after)
    page = found[:limit]
    return PartnerPage(
        items=[_partner(p) for p in page],
        next_cursor=str(page[-1].id) if len(found) > limit else None,
    )


@router.get("/{partner_id}", summary="One partner and its keys", responses=responses(404))
async def read(partner_id: UUID, session: SessionDep, _: AdminDep) -> PartnerOut:
    return _partner(await partners.get(session, partner_id))


@router.post(
    "/{partner_id}/keys",
    status_code=status.HTTP_201_CREATED,
    summary="Rotate: issue a new key; the others stop working after a grace period",
    responses=responses(404, 409, 422),
)
async def rotate(
    partner_id: UUID,
    request: Request,
    session: SessionDep,
    _: AdminDep,
    body: KeyRotation = KeyRotation(),
) -> IssuedKey:
    key, secret = await partners.rotate(
        session, partner_id, grace=timedelta(seconds=body.grace_seconds)
    )
    _forget_cached_keys(request)
    return IssuedKey(**_key(key).model_dump(), secret=secret)


@router.delete(
    "/{partner_id}/keys/{key_id}", summary="Revoke one key at once", responses=responses(404)
)
async def revoke_key(
    partner_id: UUID, key_id: UUID, request: Request, session: SessionDep, _: AdminDep
) -> KeyOut:
    key = await partners.revoke_key(session, partner_id, key_id)
    _forget_cached_keys(request)
    return _key(key)


@router.delete(
    "/{partner_id}", summary="Revoke a partner and all its keys", responses=responses(404)
)
async def revoke(
    partner_id: UUID, request: Request, session: SessionDep, _: AdminDep
) -> PartnerOut:
    partner = await partners.revoke(session, partner_id)
    _forget_cached_keys(request)
    return _partner(partner)
