"""Analytics routes: behaviour collection and the event store."""

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, status
from sqlalchemy import select

from chassis.auth.deps import OperatorDep
from chassis.auth.tokens import InvalidToken, verify_access_token
from chassis.clock import now
from chassis.events import outbox
from chassis.http.deps import SessionDep
from chassis.http.problems import InvalidInput, Unauthorized, responses
from chassis.ids import new_id
from services.analytics.events import BehaviourRecorded
from services.analytics.models import StoredEvent
from services.analytics.schemas import Accepted, BehaviourBatch, EventOut, EventPage

router = APIRouter()


async def _user_id(request: Request, authorization: str | None) -> str | None:
    """Behaviour may be anonymous; a token, when sent, must be valid."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    try:
        if scheme.lower() != "bearer":
            raise InvalidToken("not a bearer token")
        return (await verify_access_token(token, request.app.state.jwks)).subject
    except InvalidToken as error:
        raise Unauthorized(str(error)) from None


@router.post(
    "/behaviour",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Collect client behaviour (views, searches, add-to-cart, exposures)",
    responses=responses(401, 422),
    tags=["collection"],
)
async def collect(
    body: BehaviourBatch,
    request: Request,
    session: SessionDep,
    authorization: Annotated[str | None, Header()] = None,
) -> Accepted:
    user_id = await _user_id(request, authorization)
    for index, item in enumerate(body.events):
        actor = user_id or item.anonymous_id
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
    type: Annotated[str | None, Query(max_length=200)] = None,
    subject: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> EventPage:
    query = select(StoredEvent).order_by(StoredEvent.time.desc(), StoredEvent.id.desc())
    if type:
        query = query.where(StoredEvent.type == type)
    if subject:
        query = query.where(StoredEvent.subject == subject)
    rows = await session.scalars(query.limit(limit))
    return EventPage(items=[EventOut.model_validate(row, from_attributes=True) for row in rows])
