"""Collection routes: storefronts report behaviour, signed in or not."""

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request, status

from chassis.auth.deps import OptionalPrincipalDep
from chassis.clock import now
from chassis.http.deps import SessionDep
from chassis.http.problems import InvalidInput, Problem, responses
from chassis.ids import new_id
from contracts.analytics import Action
from services.analytics.collect import bots, rules, service
from services.analytics.collect.intake import MAX_PENDING, Intake
from services.analytics.collect.schemas import (
    Accepted,
    BehaviourBatch,
    CollectBatch,
    CollectedEvent,
    CollectResult,
    Rejected,
)
from services.analytics.collect.service import Submission
from services.analytics.store import spool
from services.analytics.store.deps import StoreDep

router = APIRouter(tags=["collection"])


def _intake(request: Request) -> Intake:
    return request.app.state.intake


IntakeDep = Annotated[Intake, Depends(_intake)]


class BatchTooLarge(Problem):
    status, slug = 413, "payload-too-large"


def _refuse_large_bodies(request: Request) -> None:
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > rules.MAX_BODY_BYTES:
        raise BatchTooLarge(f"a batch takes at most {rules.MAX_BODY_BYTES:,} bytes")


@router.post(
    "/collect",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Collect a batch of behaviour events (each judged on its own, each kept once)",
    description=(
        f"At most {rules.MAX_EVENTS} events or {rules.MAX_BODY_BYTES:,} bytes (413 beyond). "
        "An event is rejected with its reasons, and the others kept, when it is malformed, "
        "its name is not collected, or its client time is more than "
        f"{rules.MAX_FUTURE} ahead or {rules.MAX_PAST.days} days behind the server's. The "
        "user is the token's (none: anonymous); a batch that carries both links the "
        "anonymous id's history to the user. Events that look like a bot's (its User-Agent, "
        f"more than {bots.MAX_PER_SECOND} events in a second, {bots.NO_DWELL_RUN} product views "
        "without dwell) are kept with their signals and listed in `flagged`; metrics and "
        "funnels do not count them. The answer comes once the accepted events are kept; "
        f"503 with Retry-After when more than {MAX_PENDING:,} events wait to be kept (send "
        "the batch again: its client event ids keep each event once)."
    ),
    responses=responses(401, 413, 422, 503),
    dependencies=[Depends(_refuse_large_bodies)],
)
async def collect(
    body: CollectBatch,
    intake: IntakeDep,
    caller: OptionalPrincipalDep,
    user_agent: Annotated[str | None, Header()] = None,
) -> CollectResult:
    if len(body.events) > rules.MAX_EVENTS:
        raise BatchTooLarge(f"a batch takes at most {rules.MAX_EVENTS} events")
    at = now()
    judged = [rules.judge(index, raw, at) for index, raw in enumerate(body.events)]
    valid = [(i, e) for i, e in enumerate(judged) if isinstance(e, CollectedEvent)]
    found = bots.signals([(Action(e.name), e.client_time) for _, e in valid], user_agent)
    signals = {index: marks for (index, _), marks in zip(valid, found, strict=True) if marks}
    collected = await intake.submit(
        Submission(body.anonymous_id, caller.user_id if caller else None, valid, signals)
    )
    # Validated as a whole from plain values: a model built per event costs more than the
    # rest of its way into the store.
    return CollectResult.model_validate(
        {
            "accepted": [kept._asdict() for kept in collected.accepted],
            "duplicates": [kept._asdict() for kept in collected.duplicates],
            "rejected": [e for e in judged if isinstance(e, Rejected)],
            "flagged": [
                {"index": i, "client_event_id": kept.client_event_id, "signals": signals[i]}
                for kept in collected.accepted
                if (i := kept.index) in signals
            ],
        }
    )


@router.post(
    "/behaviour",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Collect client behaviour, the first API (views, searches, exposures)",
    description="Kept for clients of the first API; new clients use `POST /collect`.",
    responses=responses(401, 422),
)
async def behaviour(
    request: Request,
    body: BehaviourBatch,
    session: SessionDep,
    store: StoreDep,
    caller: OptionalPrincipalDep,
    user_agent: Annotated[str | None, Header()] = None,
) -> Accepted:
    user_id = caller.user_id if caller else None
    events, moment = [], now()
    found = bots.signals(
        [(item.action, item.occurred_at or moment) for item in body.events], user_agent
    )
    for index, item in enumerate(body.events):
        actor = str(user_id) if user_id else item.anonymous_id
        if actor is None:
            raise InvalidInput(
                f"body.events.{index}.anonymous_id", "required when no access token is sent"
            )
        # The store keeps what this window admits, as /collect does (a year-213 view would be
        # refused by it and dead-lettered after the client was told it was accepted).
        if item.occurred_at and (problem := rules.out_of_window(item.occurred_at, moment)):
            raise InvalidInput(f"body.events.{index}.occurred_at", problem)
        if problem := rules.too_large(item.properties):
            raise InvalidInput(f"body.events.{index}.properties", problem)
        events.append(
            {
                "behaviour_id": new_id(),
                "actor": actor,
                "user_id": user_id,
                "anonymous_id": item.anonymous_id,
                "client_event_id": None,
                "action": item.action,
                "target": item.target,
                "properties": item.properties,
                "occurred_at": item.occurred_at or moment,
                "bot_signals": found[index],
            }
        )
    spooled = await service.publish(session, events)
    await session.commit()
    await spool.deliver(store, request.app.state.db, spooled)
    return Accepted(accepted=len(body.events))
