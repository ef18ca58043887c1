"""Comments on published posts: threaded, screened by the banned-words filter (a blocked
word is refused, a flagged one holds the comment for a moderator), deleted by their authors,
released or removed by moderators. Each state change is guarded on the state it leaves."""

from uuid import UUID

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth.principal import Principal
from chassis.clock import now
from chassis.events import outbox
from chassis.http.problems import InvalidInput, NotFound
from chassis.pagination import PageRequest, fetch_page
from contracts.content import InteractionKind, InteractionRecorded
from services.content.interactions import counters
from services.content.interactions.models import Comment, CommentState
from services.content.interactions.schemas import CommentIn
from services.content.moderation import words
from services.content.moderation.screening import first_block, screen
from services.content.posts import service as posts
from services.content.posts.workflow import IllegalTransition


async def write(session: AsyncSession, post_id: UUID, body: CommentIn, by: Principal) -> Comment:
    post = await posts.readable(session, post_id, None)
    if body.parent_id is not None:
        parent = await session.get(Comment, body.parent_id)
        if parent is None or parent.post_id != post.id or parent.state != CommentState.VISIBLE:
            raise InvalidInput("body.parent_id", "is not a comment on this post")
    findings = screen(await words.current(session), [("text", body.text)])
    if blocked := first_block(findings):
        raise InvalidInput("body.text", f"contains the banned word {blocked.match.term!r}")
    comment = Comment(
        post_id=post.id,
        parent_id=body.parent_id,
        author=by.user_id,
        text=body.text,
        state=CommentState.HELD if findings else CommentState.VISIBLE,
        flags=[f.as_flag() for f in findings],
    )
    session.add(comment)
    await session.flush()
    if comment.state == CommentState.VISIBLE:
        await _counted(session, comment)
    await session.commit()
    return comment


async def of_post(
    session: AsyncSession, post_id: UUID, page: PageRequest, reader: Principal | None
) -> tuple[list[Comment], str | None]:
    """A post's comments, newest first: the visible ones, placeholders of deleted ones (so
    replies keep their thread), and the reader's own held ones."""
    post = await posts.readable(session, post_id, None)
    shown = [Comment.state.in_([CommentState.VISIBLE, CommentState.DELETED])]
    if reader is not None:
        shown.append((Comment.state == CommentState.HELD) & (Comment.author == reader.user_id))
    statement = select(Comment).where(Comment.post_id == post.id, or_(*shown))
    return await fetch_page(session, statement, key=[Comment.created_at, Comment.id], page=page)


async def delete_own(session: AsyncSession, comment_id: UUID, by: Principal) -> None:
    comment = await session.get(Comment, comment_id)
    if comment is None or comment.author != by.user_id or comment.state == CommentState.DELETED:
        raise NotFound(f"No comment {comment_id}.")
    leaving = comment.state
    await _move(session, comment, leaving, CommentState.DELETED, text="")
    if leaving == CommentState.VISIBLE:
        await counters.take_one(session, comment.post_id, "comments")
    await session.commit()


async def held(session: AsyncSession, page: PageRequest) -> tuple[list[Comment], str | None]:
    statement = select(Comment).where(Comment.state == CommentState.HELD)
    return await fetch_page(session, statement, key=[Comment.created_at, Comment.id], page=page)


async def release(session: AsyncSession, comment_id: UUID) -> Comment:
    comment = await _get(session, comment_id)
    await _move(session, comment, CommentState.HELD, CommentState.VISIBLE)
    await _counted(session, comment)
    await session.commit()
    return comment


async def remove(session: AsyncSession, comment_id: UUID, reason: str) -> Comment:
    comment = await _get(session, comment_id)
    leaving = comment.state
    if leaving not in (CommentState.HELD, CommentState.VISIBLE):
        raise IllegalTransition(f"A comment that is {leaving} is not removed.")
    await _move(session, comment, leaving, CommentState.REMOVED, moderation_reason=reason)
    if leaving == CommentState.VISIBLE:
        await counters.take_one(session, comment.post_id, "comments")
    await session.commit()
    return comment


async def _counted(session: AsyncSession, comment: Comment) -> None:
    """A comment that becomes visible: counted, and announced as an interaction."""
    await counters.add(session, comment.post_id, comments=1)
    await outbox.add(
        session,
        InteractionRecorded(
            post_id=comment.post_id,
            user_id=comment.author,
            kind=InteractionKind.COMMENT,
            comment_id=comment.id,
            occurred_at=now(),
        ),
    )


async def _get(session: AsyncSession, comment_id: UUID) -> Comment:
    comment = await session.get(Comment, comment_id)
    if comment is None:
        raise NotFound(f"No comment {comment_id}.")
    return comment


async def _move(
    session: AsyncSession, comment: Comment, leaving: CommentState, target: CommentState, **values
) -> None:
    changed = await session.execute(
        update(Comment)
        .where(Comment.id == comment.id, Comment.state == leaving)
        .values(state=target, **values)
    )
    if changed.rowcount != 1:
        await session.rollback()
        raise IllegalTransition(f"The comment is no longer {leaving}.")
    await session.refresh(comment)
