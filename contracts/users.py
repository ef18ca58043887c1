"""Events the users service publishes."""

from datetime import datetime
from uuid import UUID

from pydantic import Field

from chassis.events import EventData, event


@event("flywheel.users.user.registered.v1", topic="flywheel.users.user", key="user_id")
class UserRegistered(EventData):
    """A customer created an account."""

    user_id: UUID
    email: str
    display_name: str | None = None
    registered_at: datetime


POINTS = "flywheel.users.points"


@event("flywheel.users.points.held.v1", topic=POINTS, key="order_id")
class PointsHeld(EventData):
    """Points an order redeems are held for it until it is paid or cancelled."""

    order_id: UUID
    user_id: UUID
    points: int = Field(gt=0)


@event("flywheel.users.points.refused.v1", topic=POINTS, key="order_id")
class PointsRefused(EventData):
    """The order asked for more points than the customer has available: none were held."""

    order_id: UUID
    user_id: UUID
    points: int = Field(gt=0)
    available: int = Field(ge=0)
