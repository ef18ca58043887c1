"""Operations on logins: access tokens with rotating refresh tokens (reuse of a used token
revokes its family), the lockout after repeated failures, sessions seen by their owner."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import and_, case, delete, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.db import UtcDateTime, insert_for
from chassis.http.problems import InvalidInput, NotFound, Unauthorized
from chassis.ids import new_id
from chassis.pagination import PageRequest, fetch_page
from services.users.accounts import service as accounts
from services.users.accounts.models import User
from services.users.accounts.passwords import verify_password
from services.users.keys import service as keys
from services.users.keys import signing
from services.users.logins.lockout import AccountLocked, LockoutPolicy
from services.users.logins.models import LoginFailure, RefreshToken
from services.users.segments import service as segments
from services.users.settings import Settings


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue(
    session: AsyncSession,
    user: User,
    settings: Settings,
    family_id: UUID | None = None,
    started_at: datetime | None = None,
) -> TokenPair:
    """Issue an access token and a refresh token; the caller commits."""
    key = await keys.signing_key(session)
    lifetime = timedelta(minutes=settings.access_token_minutes)
    access, _ = signing.access_token(
        key, user_id=user.id, email=user.email, roles=user.roles, lifetime=lifetime
    )
    refresh = secrets.token_urlsafe(32)
    issued = now()
    session.add(
        RefreshToken(
            token_hash=_digest(refresh),
            family_id=family_id or new_id(),
            user_id=user.id,
            expires_at=issued + timedelta(days=settings.refresh_token_days),
            started_at=started_at or issued,
            created_at=issued,
        )
    )
    return TokenPair(access, refresh, int(lifetime.total_seconds()))


async def log_in(session: AsyncSession, email: str, password: str, settings: Settings) -> TokenPair:
    email = accounts.normalise(email)
    at = now()
    await _refuse_if_locked(session, email, at)
    user = await accounts.authenticate(session, email, password)
    if user is None:
        await _fail(session, email, settings.lockout, at)
        raise Unauthorized("Unknown email or wrong password.")
    await session.execute(delete(LoginFailure).where(LoginFailure.email == email))
    user.last_login_at = at
    await segments.refresh(session, user.id, {"logins.last_login_at"})
    pair = await issue(session, user, settings)
    await session.commit()
    return pair


async def change_password(
    session: AsyncSession, user_id: UUID, old_password: str, new_password: str, settings: Settings
) -> None:
    """Change the password and end every login of the account (a stolen session must not
    outlive the change). Wrong old passwords count towards the lockout like failed logins,
    or a stolen access token would be a free password oracle."""
    user = await accounts.get(session, user_id, for_update=True)
    at = now()
    await _refuse_if_locked(session, user.email, at)
    if not await verify_password(user.password_hash, old_password):
        await _fail(session, user.email, settings.lockout, at)
        raise InvalidInput("body.old_password", "The current password is wrong.")
    await accounts.set_password(user, old_password, new_password)
    await revoke_all(session, user.id)
    await session.commit()


async def _refuse_if_locked(session: AsyncSession, email: str, at: datetime) -> None:
    locked_until = await session.scalar(
        select(LoginFailure.locked_until).where(LoginFailure.email == email)
    )
    if locked_until is not None and locked_until > at:
        raise AccountLocked(locked_until, at)


async def _fail(session: AsyncSession, email: str, policy: LockoutPolicy, at: datetime) -> None:
    """Record a failure and commit it; raise AccountLocked if it locked the email."""
    locked_until = await _count_failure(session, email, policy, at)
    await session.commit()
    if locked_until is not None and locked_until > at:
        raise AccountLocked(locked_until, at)


async def _count_failure(
    session: AsyncSession, email: str, policy: LockoutPolicy, at: datetime
) -> datetime | None:
    """Count one failed login in one statement (concurrent guesses all count); return when
    the email is locked until, if it is. Earlier failures are forgotten once they are older
    than the window, or once the lock they caused has run out."""
    table = LoginFailure.__table__
    until = literal(at + policy.duration, UtcDateTime())
    stale = or_(
        and_(table.c.locked_until.is_not(None), table.c.locked_until <= at),
        and_(table.c.locked_until.is_(None), table.c.last_failed_at <= at - policy.window),
    )
    failures = case((stale, 1), else_=table.c.failures + 1)
    insert = insert_for(session, table).values(
        email=email,
        failures=1,
        last_failed_at=at,
        locked_until=(at + policy.duration) if policy.max_failures <= 1 else None,
    )
    statement = insert.on_conflict_do_update(
        index_elements=[table.c.email],
        set_={
            "failures": failures,
            "last_failed_at": literal(at, UtcDateTime()),
            "locked_until": case(
                (failures >= policy.max_failures, until),
                (stale, None),
                else_=table.c.locked_until,
            ),
        },
    ).returning(table.c.locked_until)
    return await session.scalar(statement)


async def refresh(session: AsyncSession, token: str, settings: Settings) -> TokenPair:
    stored = await session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == _digest(token)).with_for_update()
    )
    if stored is None or stored.revoked_at is not None or stored.expires_at <= now():
        raise Unauthorized("The refresh token is invalid or expired.")
    # Marked used only if it still is not, in one statement: SQLite takes no row lock for
    # the SELECT above, so two concurrent exchanges could both have read it unused.
    marked = await session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == stored.id, RefreshToken.used_at.is_(None))
        .values(used_at=now())
    )
    if marked.rowcount != 1:
        # A used token presented again means it leaked: end every session of this login.
        await revoke_family(session, stored.family_id)
        await session.commit()
        raise Unauthorized("The refresh token was already used; the login is revoked.")
    user = await session.get(User, stored.user_id)
    pair = await issue(
        session, user, settings, family_id=stored.family_id, started_at=stored.started_at
    )
    await session.commit()
    return pair


async def revoke_family(session: AsyncSession, family_id: UUID, user_id: UUID | None = None) -> int:
    """Revoke every token of a login (of `user_id`'s logins only, when given); return how
    many tokens were still unrevoked."""
    statement = update(RefreshToken).where(
        RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None)
    )
    if user_id is not None:
        statement = statement.where(RefreshToken.user_id == user_id)
    result = await session.execute(statement.values(revoked_at=now()))
    return result.rowcount


async def revoke_all(session: AsyncSession, user_id: UUID) -> None:
    """End every login of a user (after a password change); the caller commits."""
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now())
    )


async def logout(session: AsyncSession, token: str) -> None:
    stored = await session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == _digest(token))
    )
    if stored is not None:
        await revoke_family(session, stored.family_id)
        await session.commit()


async def sessions(
    session: AsyncSession, user_id: UUID, page: PageRequest
) -> tuple[list[RefreshToken], str | None]:
    """The user's live logins, newest token first: each family's one current token."""
    statement = select(RefreshToken).where(
        RefreshToken.user_id == user_id,
        RefreshToken.used_at.is_(None),
        RefreshToken.revoked_at.is_(None),
        RefreshToken.expires_at > now(),
    )
    return await fetch_page(session, statement, key=[RefreshToken.id], page=page)


async def end_session(session: AsyncSession, user_id: UUID, family_id: UUID) -> None:
    """End one of the user's own logins; another user's, or one already ended, is 404."""
    if not await revoke_family(session, family_id, user_id=user_id):
        raise NotFound("No such session.")
    await session.commit()
