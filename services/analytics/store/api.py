"""Event store routes: operators list recorded events."""

from typing import Annotated

from fastapi import APIRouter, Query

from chassis.auth.deps import OperatorDep
from chassis.http.problems import responses
from chassis.pagination import Page, PageDep
from services.analytics.store import service
from services.analytics.store.deps import StoreDep
from services.analytics.store.schemas import EventOut

router = APIRouter(tags=["event store"])


@router.get(
    "/events",
    summary="Recorded events, newest first",
    responses=responses(401, 403, 422, 503),
)
async def list_events(
    store: StoreDep,
    _: OperatorDep,
    page: PageDep,
    type: Annotated[str | None, Query(max_length=200)] = None,
    subject: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[EventOut]:
    rows, next_cursor = await service.list_events(store, type=type, subject=subject, page=page)
    return Page(items=[EventOut.model_validate(row) for row in rows], next_cursor=next_cursor)
