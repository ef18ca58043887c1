"""Events applied to the users service's handlers as its consumer applies them: every
handler of the app, in its order, in one transaction per event (imported as `deliver`). The
chassis' inbox is tested in tests/chassis; tests here redeliver on purpose to show that
each step is also idempotent on its own."""

from datetime import datetime
from uuid import UUID

from chassis.clock import now
from chassis.events.registry import registry
from chassis.ids import new_id
from contracts.analytics import Action, BehaviourRecorded
from services.users.app import handlers
from services.users.settings import Settings

HANDLERS = handlers(Settings(kafka_enabled=False))


async def deliver(users, *events, handlers=HANDLERS) -> None:
    """Apply `events`, each in its transaction, to `handlers` (the app's, by default)."""
    for event in events:
        type_ = registry.of(event).type
        async with users.db.session() as session, session.begin():
            for handler in handlers:
                if handler.handles(type_):
                    await handler(event, session)


def behaviour(user_id: str, at: datetime | None = None) -> BehaviourRecorded:
    return BehaviourRecorded(
        behaviour_id=new_id(),
        actor=user_id,
        user_id=UUID(user_id),
        action=Action.PRODUCT_VIEW,
        occurred_at=at or now(),
    )
