"""Operations of moderation: the banned-words list, user reports, the queue, decisions."""

from uuid import UUID

from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth.principal import Principal
from chassis.http.problems import Conflict, NotFound
from chassis.pagination import PageRequest, fetch_page
from contracts.content import ModerationDecision as Decision
from services.content.moderation import decisions
from services.content.moderation.filter import Severity
from services.content.moderation.models import BannedWord, ModerationDecision, Report
from services.content.posts import service as posts
from services.content.posts.models import Post
from services.content.posts.workflow import IllegalTransition, PostState


async def ban(session: AsyncSession, term: str, severity: Severity, by: UUID) -> BannedWord:
    word = BannedWord(term=term, severity=severity, added_by=by)
    session.add(word)
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise Conflict(f"{term!r} is already on the list.") from None
    return word


async def unban(session: AsyncSession, word_id: UUID) -> None:
    removed = await session.execute(delete(BannedWord).where(BannedWord.id == word_id))
    if removed.rowcount != 1:
        raise NotFound(f"No banned word {word_id}.")
    await session.commit()


async def banned(session: AsyncSession, page: PageRequest) -> tuple[list[BannedWord], str | None]:
    return await fetch_page(
        session, select(BannedWord), key=[BannedWord.created_at, BannedWord.id], page=page
    )


async def report(session: AsyncSession, post_id: UUID, reason: str, by: Principal) -> Report:
    """A user's report queues a published post for review; once per user and post."""
    post = await posts.readable(session, post_id, None)
    filed = Report(post_id=post.id, reporter=by.user_id, reason=reason)
    session.add(filed)
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise Conflict("You have already reported this post.") from None
    return filed


async def queue(session: AsyncSession, page: PageRequest) -> tuple[list[tuple], str | None]:
    """Posts waiting for a moderator, latest change first, each with its open reports."""
    reported = select(Report.post_id).where(Report.resolved_at.is_(None))
    statement = select(Post).where(
        or_(
            Post.state == PostState.IN_REVIEW,
            (Post.state == PostState.PUBLISHED) & Post.id.in_(reported),
        )
    )
    rows, next_cursor = await fetch_page(
        session, statement, key=[Post.updated_at, Post.id], page=page
    )
    reasons: dict[UUID, list[str]] = {row.id: [] for row in rows}
    open_reports = await session.execute(
        select(Report.post_id, Report.reason)
        .where(Report.post_id.in_(reasons), Report.resolved_at.is_(None))
        .order_by(Report.created_at)
    )
    for post_id, reason in open_reports:
        reasons[post_id].append(reason)
    return [(row, reasons[row.id]) for row in rows], next_cursor


async def dismiss_reports(session: AsyncSession, post_id: UUID, reason: str, by: UUID) -> Post:
    """Keep a reported post published: its open reports are settled, with the reason."""
    post = await posts.readable(session, post_id, None)
    has_open = await session.scalar(
        select(Report.id).where(Report.post_id == post_id, Report.resolved_at.is_(None)).limit(1)
    )
    if has_open is None:
        raise IllegalTransition("The post has no open reports.")
    await decisions.record(session, post, Decision.REPORTS_DISMISSED, reason, by)
    await session.commit()
    return post


async def history(session: AsyncSession, post_id: UUID) -> list[ModerationDecision]:
    if await session.get(Post, post_id) is None:
        raise NotFound(f"No post {post_id}.")
    return list(
        await session.scalars(
            select(ModerationDecision)
            .where(ModerationDecision.post_id == post_id)
            .order_by(ModerationDecision.created_at, ModerationDecision.id)
        )
    )
