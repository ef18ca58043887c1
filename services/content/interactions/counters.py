"""A post's counters: each change is one statement, a decrement guarded at zero."""

from uuid import UUID

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.db import insert_for
from services.content.interactions.models import PostStats

COUNTERS = ("views", "dwell_ms", "likes", "favourites", "shares", "comments", "clicks")


async def add(session: AsyncSession, post_id: UUID, **amounts: int) -> None:
    """Add non-negative `amounts` to the named counters, creating the row at zero first."""
    await session.execute(
        insert_for(session, PostStats)
        .values(post_id=post_id, **dict.fromkeys(COUNTERS, 0) | amounts)
        .on_conflict_do_update(
            index_elements=["post_id"],
            set_={name: getattr(PostStats, name) + amount for name, amount in amounts.items()},
        )
    )


async def take_one(session: AsyncSession, post_id: UUID, counter: str) -> None:
    """One less, never below zero."""
    column = getattr(PostStats, counter)
    await session.execute(
        update(PostStats)
        .where(PostStats.post_id == post_id, column >= 1)
        .values({counter: column - 1})
    )
