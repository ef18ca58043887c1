"""Operations on logins: access tokens with rotating refresh tokens (reuse of a used token
revokes its family)."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.http.problems import Unauthorized
from chassis.ids import new_id
from services.users.accounts import service as accounts
from services.users.accounts.models import User
from services.users.keys import service as keys
from services.users.keys import signing
from services.users.logins.models import RefreshToken
from services.users.settings import Settings


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue(
    session: AsyncSession, user: User, settings: Settings, family_id: UUID | None = None
) -> TokenPair:
    """Issue an access token and a refresh token; the caller commits."""
    key = await keys.signing_key(session)
    lifetime = timedelta(minutes=settings.access_token_minutes)
    access, _ = signing.access_token(
        key, user_id=user.id, email=user.email, roles=user.roles, lifetime=lifetime
    )
    refresh = secrets.token_urlsafe(32)
    session.add(
        RefreshToken(
            token_hash=_digest(refresh),
            family_id=family_id or new_id(),
            user_id=user.id,
            expires_at=now() + timedelta(days=settings.refresh_token_days),
        )
    )
    return TokenPair(access, refresh, int(lifetime.total_seconds()))


async def log_in(session: AsyncSession, email: str, password: str, settings: Settings) -> TokenPair:
    user = await accounts.authenticate(session, email, password)
    if user is None:
        raise Unauthorized("Unknown email or wrong password.")
    pair = await issue(session, user, settings)
    await session.commit()
    return pair


async def refresh(session: AsyncSession, token: str, settings: Settings) -> TokenPair:
    stored = await session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == _digest(token)).with_for_update()
    )
    if stored is None or stored.revoked_at is not None or stored.expires_at <= now():
        raise Unauthorized("The refresh token is invalid or expired.")
    if stored.used_at is not None:
        # A used token presented again means it leaked: end every session of this login.
        await revoke_family(session, stored.family_id)
        await session.commit()
        raise Unauthorized("The refresh token was already used; the login is revoked.")
    stored.used_at = now()
    user = await session.get(User, stored.user_id)
    pair = await issue(session, user, settings, family_id=stored.family_id)
    await session.commit()
    return pair


async def revoke_family(session: AsyncSession, family_id: UUID) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now())
    )


async def logout(session: AsyncSession, token: str) -> None:
    stored = await session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == _digest(token))
    )
    if stored is not None:
        await revoke_family(session, stored.family_id)
        await session.commit()
