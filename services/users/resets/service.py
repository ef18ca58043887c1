"""Operations on password resets: a request stages the mail (by event) and answers the same
whether the account exists or not; a confirmation takes the token in one guarded UPDATE, so
it works once and before it expires, then sets the password and ends every login."""

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.events import outbox
from chassis.http.problems import InvalidInput
from contracts.users import PasswordResetRequested
from services.users.accounts import service as accounts
from services.users.accounts.models import User
from services.users.logins import service as logins
from services.users.logins.models import LoginFailure
from services.users.resets.models import PasswordReset


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def request(session: AsyncSession, email: str, lifetime: timedelta) -> None:
    """Mail a reset token to the account of `email`, if there is one; earlier tokens of the
    account stop working. Nothing tells the caller whether the account exists."""
    user = await session.scalar(select(User).where(User.email == accounts.normalise(email)))
    if user is None:
        return
    at = now()
    await session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=at)
    )
    token = secrets.token_urlsafe(32)
    reset = PasswordReset(
        user_id=user.id, token_hash=_digest(token), requested_at=at, expires_at=at + lifetime
    )
    session.add(reset)
    await outbox.add(
        session,
        PasswordResetRequested(
            user_id=user.id, email=user.email, token=token, expires_at=reset.expires_at
        ),
    )
    await session.commit()


async def confirm(session: AsyncSession, token: str, new_password: str) -> None:
    """Set a new password with a reset token: once, unexpired. The strength is checked
    before the token is taken, so a weak password does not use it up."""
    at = now()
    user_id = await session.scalar(
        select(PasswordReset.user_id).where(PasswordReset.token_hash == _digest(token))
    )
    user = await session.get(User, user_id) if user_id else None
    if user is None:
        raise InvalidInput("body.token", "The reset token is invalid, used or expired.")
    accounts.check_strength("body.new_password", new_password, user.email)
    taken = await session.execute(
        update(PasswordReset)
        .where(
            PasswordReset.token_hash == _digest(token),
            PasswordReset.used_at.is_(None),
            PasswordReset.expires_at > at,
        )
        .values(used_at=at)
    )
    if taken.rowcount != 1:
        await session.rollback()
        raise InvalidInput("body.token", "The reset token is invalid, used or expired.")
    await accounts.replace_password(user, new_password)
    await logins.revoke_all(session, user.id)
    await session.execute(delete(LoginFailure).where(LoginFailure.email == user.email))
    await session.commit()
