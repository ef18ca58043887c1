"""Analytics routes: behaviour collection and the event store."""

from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlalchemy import select

from chassis.auth.deps import OperatorDep, OptionalPrincipalDep
from chassis.clock import now
from chassis.events import outbox
from chassis.http.deps import SessionDep
from chassis.http.problems import InvalidInput, responses
from chassis.ids import new_id
from chassis.pagination import Page, PageDep, fetch_page
from contracts.analytics import BehaviourRecorded
from services.analytics.models import StoredEvent
from services.analytics.schemas import Accepted, BehaviourBatch, EventOut

router = APIRouter()


@router.post(
    "/behaviour",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Collect client behaviour (views, searches, add-to-cart, exposures)",
    responses=responses(401, 422),
    tags=["collection"],
)
async def collect(
    body: BehaviourBatch, session: SessionDep, caller: OptionalPrincipalDep
) -> Accepted:
    user_id = caller.user_id if caller else None
    for index, item in enumerate(body.events):
        actor = str(user_id) if user_id else item.anonymous_id
        if actor is None:
            raise InvalidInput(
                f"body.events.{index}.anonymous_id", "required when no access token is sent"
            )
        await outbox.add(
            session,
            BehaviourRecorded(
                behaviour_id=new_id(),
                actor=actor,
                user_id=user_id,
                action=item.action,
                target=item.target,
                properties=item.properties,
                occurred_at=item.occurred_at or now(),
            ),
        )
    await session.commit()
    return Accepted(accepted=len(body.events))


@router.get(
    "/events",
    summary="Recorded events, newest first",
    responses=responses(401, 403, 422),
    tags=["event store"],
)
async def list_events(
    session: SessionDep,
    _: OperatorDep,
    page: PageDep,
    type: Annotated[str | None, Query(max_length=200)] = None,
    subject: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[EventOut]:
    query = select(StoredEvent)
    if type:
        query = query.where(StoredEvent.type == type)
    if subject:
        query = query.where(StoredEvent.subject == subject)
    rows, next_cursor = await fetch_page(
        session, query, key=(StoredEvent.time, StoredEvent.id), page=page
    )
    return Page(
        items=[EventOut.model_validate(row, from_attributes=True) for row in rows],
        next_cursor=next_cursor,
    )
