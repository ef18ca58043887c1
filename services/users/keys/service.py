"""Operations on signing keys: the keys in use, the first key, rotation."""

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


async def rotate(session: AsyncSession, keep: int = 2) -> SigningKey:
    """Add a new signing key; keep the previous ones published so that tokens they signed
    stay valid until they expire; retire older keys beyond `keep`."""
    key = new_key()
    session.add(key)
    for old in (await active_keys(session))[keep:]:
        old.retired_at = now()
    await session.commit()
    return key
