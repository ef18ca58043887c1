"""Collection routes: storefronts report behaviour."""

from fastapi import APIRouter, status

from chassis.auth.deps import OptionalPrincipalDep
from chassis.clock import now
from chassis.events import outbox
from chassis.http.deps import SessionDep
from chassis.http.problems import InvalidInput, responses
from chassis.ids import new_id
from contracts.analytics import BehaviourRecorded
from services.analytics.collect.schemas import Accepted, BehaviourBatch

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
