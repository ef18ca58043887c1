"""Partners and their API keys: issue, rotate, revoke, and the cached lookup at the edge."""

import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth.access import Access
from chassis.clock import now
from chassis.db import Database
from chassis.http.problems import Conflict, InvalidInput, NotFound
from gateway.access import Scope
from gateway.models import Partner, PartnerKey
from gateway.routes import BadPath, RoutingTable, checked_path

SECRET_PREFIX = "fwk_"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
PARTNER_POLICIES = frozenset({Access.PUBLIC, Access.CUSTOMER, Access.PARTNER})


def checked_scopes(table: RoutingTable, texts: list[str]) -> list[str]:
    """The scopes in canonical form, each a route prefix that partners may call."""
    scopes = set()
    for text in texts:
        scope = Scope.parse(text)
        if scope.method is not None and scope.method not in METHODS:
            raise InvalidInput("scopes", f"{text!r}: unknown method {scope.method!r}")
        try:
            checked_path(scope.prefix.encode())
        except BadPath as error:
            raise InvalidInput("scopes", f"{text!r}: {error}") from None
        route = table.match(scope.method or "GET", scope.prefix)
        if route is None or route.policy not in PARTNER_POLICIES:
            raise InvalidInput("scopes", f"{text!r} is not a route that partners may call")
        scopes.add(str(scope))
    return sorted(scopes)


def new_secret() -> str:
    """An API key: 256 random bits, recognisable by its prefix in logs and secret scanners."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def secret_hash(secret: str) -> str:
    """SHA-256 is right here, unlike for passwords: a key has 256 bits of entropy, so there
    is nothing to guess, and the lookup at the edge stays fast."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every time stored here is UTC."""
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


def key_is_active(key: PartnerKey, at: datetime) -> bool:
    expires_at = _aware(key.expires_at)
    return key.revoked_at is None and (expires_at is None or expires_at > at)


def _new_key(partner: Partner) -> tuple[PartnerKey, str]:
    secret = new_secret()
    key = PartnerKey(
        partner=partner, prefix=secret[: len(SECRET_PREFIX) + 8], secret_hash=secret_hash(secret)
    )
    return key, secret


async def register(
    session: AsyncSession, *, name: str, scopes: list[str], by: str
) -> tuple[Partner, PartnerKey, str]:
    """A new partner with its first key; the secret is returned once and never stored."""
    if await session.scalar(select(Partner.id).where(Partner.name == name)):
        raise Conflict(f"A partner named {name!r} exists already.")
    partner = Partner(name=name, scopes=scopes, created_by=by, keys=[])
    key, secret = _new_key(partner)
    session.add_all([partner, key])
    try:
        await session.commit()
    except IntegrityError:
        raise Conflict(f"A partner named {name!r} exists already.") from None
    return partner, key, secret


async def get(session: AsyncSession, partner_id: UUID) -> Partner:
    partner = await session.get(Partner, partner_id)
    if partner is None:
        raise NotFound(f"No partner {partner_id}.")
    return partner


async def listing(session: AsyncSession, *, limit: int, after: UUID | None) -> list[Partner]:
    """Partners in creation order (ids are time-ordered), `limit` after the cursor."""
    query = select(Partner).order_by(Partner.id).limit(limit)
    if after is not None:
        query = query.where(Partner.id > after)
    return list(await session.scalars(query))


async def rotate(
    session: AsyncSession, partner_id: UUID, *, grace: timedelta
) -> tuple[PartnerKey, str]:
    """A new key; the partner's other keys stop working after `grace` (zero: at once)."""
    partner = await get(session, partner_id)
    if partner.revoked_at is not None:
        raise Conflict("The partner is revoked; register it again instead.")
    moment = now()
    retire_at = moment + grace
    for key in partner.keys:
        if key_is_active(key, moment) and (
            key.expires_at is None or _aware(key.expires_at) > retire_at
        ):
            key.expires_at = retire_at
    key, secret = _new_key(partner)
    session.add(key)
    await session.commit()
    return key, secret


async def revoke_key(session: AsyncSession, partner_id: UUID, key_id: UUID) -> PartnerKey:
    key = await session.get(PartnerKey, key_id)
    if key is None or key.partner_id != partner_id:
        raise NotFound(f"No key {key_id} for partner {partner_id}.")
    if key.revoked_at is None:
        key.revoked_at = now()
        await session.commit()
    return key


async def revoke(session: AsyncSession, partner_id: UUID) -> Partner:
    partner = await get(session, partner_id)
    if partner.revoked_at is None:
        partner.revoked_at = now()
        await session.commit()
    return partner


@dataclass(frozen=True)
class PartnerIdentity:
    partner_id: str
    scopes: tuple[Scope, ...]
    expires_at: datetime | None


class KeyDirectory:
    """Finds the partner of an API key, remembering answers (found or not) for `ttl` seconds.

    A revocation is seen at once by the replica that made it and within `ttl` by the others.
    """

    def __init__(
        self,
        db: Database,
        *,
        ttl: float,
        clock: Callable[[], float] = time.monotonic,
        max_entries: int = 10_000,
    ) -> None:
        self.db = db
        self.ttl = ttl
        self._clock = clock
        self._max_entries = max_entries
        self._cache: dict[str, tuple[PartnerIdentity | None, float]] = {}

    async def identify(self, secret: str) -> PartnerIdentity | None:
        if not secret.startswith(SECRET_PREFIX):
            return None  # not a key of ours: no lookup
        digest = secret_hash(secret)
        cached = self._cache.get(digest)
        if cached is None or self._clock() - cached[1] >= self.ttl:
            identity = await self._load(digest)
            if len(self._cache) >= self._max_entries:
                self._cache.clear()
            self._cache[digest] = (identity, self._clock())
        else:
            identity = cached[0]
        if identity and identity.expires_at and identity.expires_at <= now():
            return None
        return identity

    def forget(self) -> None:
        self._cache.clear()

    async def _load(self, digest: str) -> PartnerIdentity | None:
        async with self.db.session() as session:
            key = await session.scalar(select(PartnerKey).where(PartnerKey.secret_hash == digest))
            if key is None or key.partner.revoked_at is not None or not key_is_active(key, now()):
                return None
            return PartnerIdentity(
                partner_id=str(key.partner_id),
                scopes=tuple(Scope.parse(s) for s in key.partner.scopes),
                expires_at=_aware(key.expires_at),
            )
