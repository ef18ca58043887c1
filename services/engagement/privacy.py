"""Erasure: what engagement keeps about a user that users erased is scrubbed once (their
inbox is emptied, their mail loses its address and content, mail not yet sent is cancelled),
and nothing is staged or sent to them again."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import delete, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.db import insert_if_absent
from services.engagement.models import EmailDelivery, ErasedUser, InboxMessage


async def is_erased(session: AsyncSession, user_id: UUID) -> bool:
    return bool(await session.scalar(select(exists().where(ErasedUser.user_id == user_id))))


async def erase(session: AsyncSession, user_id: UUID, erased_at: datetime) -> bool:
    """Mark the user erased and scrub what engagement keeps about them; False (and nothing
    done) if they were already. A delivery the sender is sending meanwhile (its row locked)
    is waited for: it was on its way, and it is scrubbed once sent."""
    if not await insert_if_absent(
        session, ErasedUser.__table__, user_id=user_id, erased_at=erased_at
    ):
        return False
    await scrub(session, user_id)
    return True


async def scrub(session: AsyncSession, user_id: UUID) -> None:
    """Empty the user's inbox, cancel their mail not yet sent, and take the address and the
    content off all of it (what was sent stays counted: template and times)."""
    await session.execute(delete(InboxMessage).where(InboxMessage.user_id == user_id))
    await session.execute(
        update(EmailDelivery)
        .where(
            EmailDelivery.user_id == user_id,
            EmailDelivery.sent_at.is_(None),
            EmailDelivery.failed_at.is_(None),
            EmailDelivery.cancelled_at.is_(None),
        )
        .values(cancelled_at=now())
    )
    await session.execute(
        update(EmailDelivery)
        .where(EmailDelivery.user_id == user_id)
        .values(address="", subject="", body="", last_error=None)
    )
