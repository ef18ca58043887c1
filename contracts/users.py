"""Events the users service publishes."""

from datetime import datetime
from uuid import UUID

from chassis.events import EventData, event


@event("flywheel.users.user.registered.v1", topic="flywheel.users.user", key="user_id")
class UserRegistered(EventData):
    """A customer created an account."""

    user_id: UUID
    email: str
    display_name: str | None = None
    registered_at: datetime
