"""Content-call routes: operators open and judge calls; customers enter their posts; anyone
reads calls, entries and winners."""

from uuid import UUID

from fastapi import APIRouter, status

from chassis.auth.deps import OperatorDep, PrincipalDep
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from chassis.pagination import Page, PageDep
from services.content.calls import service
from services.content.calls.schemas import CallIn, CallOut, EntryIn, EntryOut, Verdict

router = APIRouter(prefix="/calls", tags=["content calls"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Open a themed call for entries (内容征集) with its window, judging and reward",
    responses=responses(401, 403, 422),
)
async def open_call(body: CallIn, session: SessionDep, by: OperatorDep) -> CallOut:
    return CallOut.model_validate(await service.open_call(session, body, by.user_id))


@router.get("", summary="Calls, latest start first", responses=responses(422))
async def calls(session: SessionDep, page: PageDep) -> Page[CallOut]:
    rows, next_cursor = await service.calls(session, page)
    return Page(items=[CallOut.model_validate(c) for c in rows], next_cursor=next_cursor)


@router.get("/{call_id}", summary="A call", responses=responses(404, 422))
async def call(call_id: UUID, session: SessionDep) -> CallOut:
    return CallOut.model_validate(await service.get(session, call_id))


@router.post(
    "/{call_id}/entries",
    status_code=status.HTTP_201_CREATED,
    summary="Enter one's own published post while the call runs (once per call)",
    responses=responses(401, 404, 409, 422),
)
async def enter(call_id: UUID, body: EntryIn, session: SessionDep, by: PrincipalDep) -> EntryOut:
    return EntryOut.model_validate(await service.enter(session, call_id, body.post_id, by))


@router.get(
    "/{call_id}/entries",
    summary="A call's entries, latest first (winners carry their rank)",
    responses=responses(404, 422),
)
async def entries(call_id: UUID, session: SessionDep, page: PageDep) -> Page[EntryOut]:
    rows, next_cursor = await service.entries(session, call_id, page)
    return Page(items=[EntryOut.model_validate(e) for e in rows], next_cursor=next_cursor)


@router.post(
    "/{call_id}/winners",
    summary="Judge an ended call once: name the winners, or let engagement choose them",
    responses=responses(401, 403, 404, 409, 422),
)
async def judge(
    call_id: UUID, body: Verdict, session: SessionDep, _: OperatorDep
) -> list[EntryOut]:
    winners = await service.judge(session, call_id, body.post_ids)
    return [EntryOut.model_validate(e) for e in winners]
