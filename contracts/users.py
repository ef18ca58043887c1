"""Events the users service publishes."""

from datetime import datetime
from enum import StrEnum
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


USER = "flywheel.users.user"  # a user's registration, profile and consent: in order per user


class Gender(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNDISCLOSED = "undisclosed"


class Channel(StrEnum):
    """A way of reaching a user that needs their marketing consent."""

    EMAIL = "email"
    SMS = "sms"
    PUSH = "push"
    IN_APP = "in_app"


@event("flywheel.users.profile.updated.v1", topic=USER, key="user_id")
class ProfileUpdated(EventData):
    """A customer changed their profile: the fields that changed, and the profile now."""

    user_id: UUID
    changed: list[str] = Field(min_length=1)
    display_name: str | None = None
    gender: Gender | None = None
    birth_year: int | None = None
    city: str | None = None
    time_zone: str | None = None
    locale: str | None = None
    updated_at: datetime


@event("flywheel.users.consent.changed.v1", topic=USER, key="user_id")
class ConsentChanged(EventData):
    """A customer gave or withdrew marketing consent on one channel; engagement honours it."""

    user_id: UUID
    channel: Channel
    granted: bool
    changed_at: datetime
