"""Recording a moderator's decision on a post, with its event, in the caller's transaction."""

from uuid import UUID

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.events import outbox
from contracts.content import ModerationDecision as Decision
from contracts.content import PostModerated
from services.content.moderation.models import ModerationDecision, Report
from services.content.posts.models import Post


async def record(
    session: AsyncSession, post: Post, decision: Decision, reason: str | None, moderator: UUID
) -> None:
    """A decision also settles the reports open on the post: they were about what it was."""
    await session.execute(
        update(Report)
        .where(Report.post_id == post.id, Report.resolved_at.is_(None))
        .values(resolved_at=now())
    )
    session.add(
        ModerationDecision(post_id=post.id, moderator=moderator, decision=decision, reason=reason)
    )
    await outbox.add(
        session,
        PostModerated(
            post_id=post.id,
            decision=decision,
            reason=reason,
            moderator=moderator,
            flagged_terms=sorted({flag["term"] for flag in post.flags}),
            decided_at=now(),
        ),
    )
