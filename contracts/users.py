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


class EarnedFor(StrEnum):
    ORDER = "order"
    CHECK_IN = "check_in"


@event("flywheel.users.points.earned.v1", topic=POINTS, key="user_id")
class PointsEarned(EventData):
    """Points were earned: for a paid order (frozen until the order completes) or a daily
    check-in (available at once)."""

    user_id: UUID
    points: int = Field(gt=0)
    earned_for: EarnedFor
    order_id: UUID | None = None
    frozen: bool
    earned_at: datetime


@event("flywheel.users.points.unfrozen.v1", topic=POINTS, key="user_id")
class PointsUnfrozen(EventData):
    """The order's return window closed: the points it earned (less any reversed) are
    available."""

    user_id: UUID
    order_id: UUID
    points: int = Field(gt=0)
    unfrozen_at: datetime


@event("flywheel.users.points.spent.v1", topic=POINTS, key="user_id")
class PointsSpent(EventData):
    """The order was paid: the points held for it are taken for good."""

    user_id: UUID
    order_id: UUID
    points: int = Field(gt=0)
    spent_at: datetime


@event("flywheel.users.points.released.v1", topic=POINTS, key="user_id")
class PointsReleased(EventData):
    """The order was cancelled: the points held for it are available again, exactly once."""

    user_id: UUID
    order_id: UUID
    points: int = Field(gt=0)
    released_at: datetime


@event("flywheel.users.points.reversed.v1", topic=POINTS, key="user_id")
class PointsReversed(EventData):
    """A refund took back the share of the points its order earned; `unrecovered` is what
    could not be taken because it was already spent (the balance never goes negative)."""

    user_id: UUID
    order_id: UUID
    refund_id: UUID
    points: int = Field(ge=0)
    unrecovered: int = Field(ge=0)
    reversed_at: datetime
