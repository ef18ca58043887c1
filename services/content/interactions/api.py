"""Interaction routes: signed-in users view, like, favourite, share, click through and
comment; anyone reads a post's counters and comments; moderators handle held comments."""

from uuid import UUID

from fastapi import APIRouter, status

from chassis.auth.deps import OperatorDep, OptionalPrincipalDep, PrincipalDep
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from chassis.pagination import Page, PageDep
from services.content.interactions import comments, service
from services.content.interactions.models import ReactionKind
from services.content.interactions.quotas import CommentQuota, InteractionQuota
from services.content.interactions.schemas import (
    CommentIn,
    CommentOut,
    CommentRemoval,
    HeldCommentOut,
    InteractionIn,
    Recorded,
    StatsOut,
)
from services.content.posts.schemas import PostOut

router = APIRouter(tags=["interactions"])


@router.post(
    "/posts/{post_id}/interactions",
    summary="Record a view (with dwell time), like, favourite, share or click-through "
    "(a second like or favourite records nothing)",
    responses=responses(401, 404, 422, 429),
)
async def interact(
    post_id: UUID, body: InteractionIn, session: SessionDep, by: PrincipalDep, _: InteractionQuota
) -> Recorded:
    return Recorded(recorded=await service.record(session, post_id, body, by))


@router.delete(
    "/posts/{post_id}/reactions/{kind}",
    summary="Take back one's like or favourite",
    responses=responses(401, 422, 429),
)
async def take_back(
    post_id: UUID, kind: ReactionKind, session: SessionDep, by: PrincipalDep, _: InteractionQuota
) -> Recorded:
    return Recorded(recorded=await service.undo(session, post_id, kind, by))


@router.get(
    "/posts/{post_id}/stats",
    summary="A published post's counters (and, with a token, whether one likes it)",
    responses=responses(401, 404, 422),
)
async def stats(post_id: UUID, session: SessionDep, reader: OptionalPrincipalDep) -> StatsOut:
    figures, mine = await service.stats(session, post_id, reader)
    out = StatsOut.model_validate(figures)
    if mine is not None:
        out.liked, out.favourited = ReactionKind.LIKE in mine, ReactionKind.FAVOURITE in mine
    return out


@router.get(
    "/me/favourites",
    summary="The published posts one has favourited, latest first",
    responses=responses(401, 422),
)
async def my_favourites(session: SessionDep, page: PageDep, by: PrincipalDep) -> Page[PostOut]:
    posts, next_cursor = await service.favourites(session, by, page)
    return Page(items=[PostOut.model_validate(p) for p in posts], next_cursor=next_cursor)


@router.post(
    "/posts/{post_id}/comments",
    status_code=status.HTTP_201_CREATED,
    summary="Comment on a published post, or reply to a comment (screened for banned words)",
    responses=responses(401, 404, 422, 429),
)
async def comment(
    post_id: UUID, body: CommentIn, session: SessionDep, by: PrincipalDep, _: CommentQuota
) -> HeldCommentOut:
    return HeldCommentOut.model_validate(await comments.write(session, post_id, body, by))


@router.get(
    "/posts/{post_id}/comments",
    summary="A post's comments, newest first, each with its parent (the thread)",
    responses=responses(401, 404, 422),
)
async def post_comments(
    post_id: UUID, session: SessionDep, page: PageDep, reader: OptionalPrincipalDep
) -> Page[CommentOut]:
    rows, next_cursor = await comments.of_post(session, post_id, page, reader)
    return Page(items=[CommentOut.model_validate(c) for c in rows], next_cursor=next_cursor)


@router.delete(
    "/comments/{comment_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete one's own comment (its replies stay, under a placeholder)",
    responses=responses(401, 404, 409, 422),
)
async def delete_comment(comment_id: UUID, session: SessionDep, by: PrincipalDep) -> None:
    await comments.delete_own(session, comment_id, by)


@router.get(
    "/moderation/comments",
    summary="Comments held for a flagged word, oldest last, with the words found",
    responses=responses(401, 403, 422),
)
async def held_comments(session: SessionDep, page: PageDep, _: OperatorDep) -> Page[HeldCommentOut]:
    rows, next_cursor = await comments.held(session, page)
    return Page(items=[HeldCommentOut.model_validate(c) for c in rows], next_cursor=next_cursor)


@router.post(
    "/moderation/comments/{comment_id}/release",
    summary="Show a held comment",
    responses=responses(401, 403, 404, 409, 422),
)
async def release_comment(comment_id: UUID, session: SessionDep, _: OperatorDep) -> HeldCommentOut:
    return HeldCommentOut.model_validate(await comments.release(session, comment_id))


@router.post(
    "/moderation/comments/{comment_id}/remove",
    summary="Remove a held or visible comment, with the reason",
    responses=responses(401, 403, 404, 409, 422),
)
async def remove_comment(
    comment_id: UUID, body: CommentRemoval, session: SessionDep, _: OperatorDep
) -> HeldCommentOut:
    return HeldCommentOut.model_validate(await comments.remove(session, comment_id, body.reason))
