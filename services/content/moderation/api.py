"""Moderation routes: the banned-words list, user reports, the queue and decisions."""

from uuid import UUID

from fastapi import APIRouter, status

from chassis.auth.deps import OperatorDep, PrincipalDep
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from chassis.pagination import Page, PageDep
from services.content.moderation import service
from services.content.moderation.schemas import (
    BannedWordIn,
    BannedWordOut,
    DecisionOut,
    Dismissal,
    QueueItem,
    ReportIn,
    ReportOut,
)
from services.content.posts.schemas import ReviewedPostOut

router = APIRouter(tags=["moderation"])


@router.post(
    "/moderation/banned-words",
    status_code=status.HTTP_201_CREATED,
    summary="Add a word (Chinese or English) that flags or blocks the content holding it",
    responses=responses(401, 403, 409, 422),
)
async def ban_word(body: BannedWordIn, session: SessionDep, by: OperatorDep) -> BannedWordOut:
    word = await service.ban(session, body.term, body.severity, by.user_id)
    return BannedWordOut.model_validate(word)


@router.get(
    "/moderation/banned-words",
    summary="The banned-words list, latest first",
    responses=responses(401, 403, 422),
)
async def banned_words(session: SessionDep, page: PageDep, _: OperatorDep) -> Page[BannedWordOut]:
    words, next_cursor = await service.banned(session, page)
    return Page(items=[BannedWordOut.model_validate(w) for w in words], next_cursor=next_cursor)


@router.delete(
    "/moderation/banned-words/{word_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Take a word off the list",
    responses=responses(401, 403, 404, 422),
)
async def unban_word(word_id: UUID, session: SessionDep, _: OperatorDep) -> None:
    await service.unban(session, word_id)


@router.post(
    "/posts/{post_id}/reports",
    status_code=status.HTTP_201_CREATED,
    summary="Report a published post to the moderators (once per user)",
    responses=responses(401, 404, 409, 422),
)
async def report_post(
    post_id: UUID, body: ReportIn, session: SessionDep, by: PrincipalDep
) -> ReportOut:
    return ReportOut.model_validate(await service.report(session, post_id, body.reason, by))


@router.get(
    "/moderation/queue",
    summary="Posts waiting for a moderator: in review, or reported; with flags and reports",
    responses=responses(401, 403, 422),
)
async def moderation_queue(session: SessionDep, page: PageDep, _: OperatorDep) -> Page[QueueItem]:
    rows, next_cursor = await service.queue(session, page)
    items = [
        QueueItem(
            post=ReviewedPostOut.model_validate(post),
            open_reports=len(reasons),
            report_reasons=reasons,
        )
        for post, reasons in rows
    ]
    return Page(items=items, next_cursor=next_cursor)


@router.post(
    "/moderation/posts/{post_id}/dismiss-reports",
    summary="Keep a reported post published, settling its reports with the reason",
    responses=responses(401, 403, 404, 409, 422),
)
async def dismiss_reports(
    post_id: UUID, body: Dismissal, session: SessionDep, by: OperatorDep
) -> ReviewedPostOut:
    post = await service.dismiss_reports(session, post_id, body.reason, by.user_id)
    return ReviewedPostOut.model_validate(post)


@router.get(
    "/moderation/posts/{post_id}/decisions",
    summary="The moderators' decisions on a post, oldest first, with their reasons",
    responses=responses(401, 403, 404, 422),
)
async def decisions(post_id: UUID, session: SessionDep, _: OperatorDep) -> list[DecisionOut]:
    return [DecisionOut.model_validate(d) for d in await service.history(session, post_id)]
