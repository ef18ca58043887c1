"""Post routes: authors draft and submit, moderators approve, reject and archive, operators
run live sessions, storefronts read what is published."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, status

from chassis.auth.deps import OperatorDep, OptionalPrincipalDep, PrincipalDep
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from chassis.pagination import Page, PageDep
from contracts.content import PostKind
from services.content.posts import service
from services.content.posts.limits import limit_body
from services.content.posts.models import LabelKind, Post
from services.content.posts.schemas import (
    Approval,
    Archival,
    LiveEnd,
    PostDraft,
    PostOut,
    Rejection,
    ReviewedPostOut,
)

router = APIRouter(prefix="/posts", tags=["posts"], dependencies=[Depends(limit_body)])


def _shape(post: Post, reader=None) -> PostOut:
    if service.may_review(post, reader):
        return ReviewedPostOut.model_validate(post)
    return PostOut.model_validate(post)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Write a draft post of any kind (live sessions: operators only)",
    responses=responses(401, 403, 413, 422),
)
async def create_post(body: PostDraft, session: SessionDep, by: PrincipalDep) -> ReviewedPostOut:
    return ReviewedPostOut.model_validate(await service.create(session, body, by))


@router.put(
    "/{post_id}",
    summary="Replace the content of one's own draft",
    responses=responses(401, 404, 409, 413, 422),
)
async def revise_post(
    post_id: UUID, body: PostDraft, session: SessionDep, by: PrincipalDep
) -> ReviewedPostOut:
    return ReviewedPostOut.model_validate(await service.revise(session, post_id, body, by))


@router.post(
    "/{post_id}/submit",
    summary="Send one's own draft to review (screened for banned words)",
    responses=responses(401, 404, 409, 422),
)
async def submit_post(post_id: UUID, session: SessionDep, by: PrincipalDep) -> ReviewedPostOut:
    return ReviewedPostOut.model_validate(await service.submit(session, post_id, by))


@router.post(
    "/{post_id}/approve",
    summary="Approve a post in review: publish it now, or at `publish_at`",
    responses=responses(401, 403, 404, 409, 422),
)
async def approve_post(
    post_id: UUID, body: Approval, session: SessionDep, by: OperatorDep
) -> ReviewedPostOut:
    post = await service.approve(session, post_id, body.publish_at, body.reason, by.user_id)
    return ReviewedPostOut.model_validate(post)


@router.post(
    "/{post_id}/reject",
    summary="Send a post in review back to its author as a draft, with the reason",
    responses=responses(401, 403, 404, 409, 422),
)
async def reject_post(
    post_id: UUID, body: Rejection, session: SessionDep, by: OperatorDep
) -> ReviewedPostOut:
    post = await service.reject(session, post_id, body.reason, by.user_id)
    return ReviewedPostOut.model_validate(post)


@router.post(
    "/{post_id}/archive",
    summary="Take a published or scheduled post off the storefronts for good",
    responses=responses(401, 403, 404, 409, 422),
)
async def archive_post(
    post_id: UUID, body: Archival, session: SessionDep, by: OperatorDep
) -> ReviewedPostOut:
    post = await service.archive(session, post_id, body.reason, by.user_id)
    return ReviewedPostOut.model_validate(post)


@router.post(
    "/{post_id}/live/start",
    summary="Put a published live session on air",
    responses=responses(401, 403, 404, 409, 422),
)
async def start_live(post_id: UUID, session: SessionDep, _: OperatorDep) -> ReviewedPostOut:
    return ReviewedPostOut.model_validate(await service.start_live(session, post_id))


@router.post(
    "/{post_id}/live/end",
    summary="Take a live session off air, with where its replay is",
    responses=responses(401, 403, 404, 409, 422),
)
async def end_live(
    post_id: UUID, body: LiveEnd, session: SessionDep, _: OperatorDep
) -> ReviewedPostOut:
    replay = str(body.replay_url) if body.replay_url else None
    return ReviewedPostOut.model_validate(await service.end_live(session, post_id, replay))


@router.get(
    "/{post_id}",
    summary="Read a post (unpublished ones only by their author and staff)",
    responses=responses(401, 404, 422),
)
async def get_post(
    post_id: UUID, session: SessionDep, reader: OptionalPrincipalDep
) -> ReviewedPostOut | PostOut:
    return _shape(await service.readable(session, post_id, reader), reader)


@router.get(
    "",
    summary="Published posts, newest first, by kind, topic, tag or linked product",
    responses=responses(401, 422),
)
async def list_posts(
    session: SessionDep,
    page: PageDep,
    kind: PostKind | None = None,
    topic: Annotated[str | None, Query(max_length=32)] = None,
    tag: Annotated[str | None, Query(max_length=32)] = None,
    product_id: UUID | None = None,
    sku_id: UUID | None = None,
) -> Page[PostOut]:
    given = [
        (k, v)
        for k, v in (
            (LabelKind.TOPIC, topic),
            (LabelKind.TAG, tag),
            (LabelKind.PRODUCT, product_id and str(product_id)),
            (LabelKind.SKU, sku_id and str(sku_id)),
        )
        if v
    ]
    posts, next_cursor = await service.published(session, page, kind=kind, labels=given)
    return Page(items=[PostOut.model_validate(p) for p in posts], next_cursor=next_cursor)
