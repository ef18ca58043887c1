"""Events the engagement service publishes."""

from datetime import datetime
from uuid import UUID

from chassis.events import EventData, event


@event(
    "flywheel.engagement.message.sent.v1",
    topic="flywheel.engagement.message",
    key="message_id",
)
class MessageSent(EventData):
    """A message reached a user on one channel."""

    message_id: UUID
    user_id: UUID
    channel: str
    template: str
    sent_at: datetime
