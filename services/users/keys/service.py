"""Operations on signing keys: the keys in use, the first key, rotation."""

from datetime import timedelta
from itertools import pairwise

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from services.users.keys.models import SigningKey
from services.users.keys.signing import new_key


async def active_keys(session: AsyncSession) -> list[SigningKey]:
    """Keys still published, newest first: the first one signs."""
    result = await session.scalars(
        select(SigningKey)
        .where(SigningKey.retired_at.is_(None))
        .order_by(SigningKey.created_at.desc(), SigningKey.kid.desc())
    )
    return list(result)


async def signing_key(session: AsyncSession) -> SigningKey:
    return (await active_keys(session))[0]


async def ensure_key(session: AsyncSession) -> None:
    if not await active_keys(session):
        session.add(new_key())
        await session.commit()


async def rotate(session: AsyncSession, token_lifetime: timedelta) -> SigningKey:
    """Add a new signing key. A key it replaces stays published while a token it signed may
    still be valid, `token_lifetime` after it stopped signing (when the next key came), and
    is retired after: two quick rotations must not invalidate tokens in use."""
    keys = await active_keys(session)  # newest first: each stopped signing as the one before came
    key = new_key()
    session.add(key)
    cutoff = now() - token_lifetime
    for successor, superseded in pairwise(keys):
        if successor.created_at <= cutoff:
            superseded.retired_at = now()
    await session.commit()
    return key
