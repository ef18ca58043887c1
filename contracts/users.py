"""Events the users service publishes."""

from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from chassis.events import EventData, event


@event("flywheel.users.user.registered.v1", topic="flywheel.users.user", key="user_id")
class UserRegistered(EventData):
    """A customer created an account."""

    user_id: UUID
    email: str
    display_name: str | None = None
    registered_at: datetime


@event("flywheel.users.password_reset.requested.v1", topic="flywheel.users.user", key="user_id")
class PasswordResetRequested(EventData):
    """Someone asked to reset the password of this account: engagement mails the token to
    its address. The token works once, until `expires_at`; the users service keeps only its
    hash, so this event (on a topic only engagement should read) is where it travels."""

    user_id: UUID
    email: str
    token: str
    expires_at: datetime


@event("flywheel.users.user.erased.v1", topic="flywheel.users.user", key="user_id")
class UserErased(EventData):
    """A customer had their personal data erased here: every service scrubs what it keeps
    about `user_id` (their ledgers may stay, anonymous)."""

    user_id: UUID
    erased_at: datetime


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
    # the birthday without its year (the year is `birth_year`, if given); both or neither
    birth_month: int | None = None
    birth_day: int | None = None
    city: str | None = None
    time_zone: str | None = None
    locale: str | None = None
    updated_at: datetime


@event("flywheel.users.birthday.reached.v1", topic=USER, key="user_id")
class BirthdayReached(EventData):
    """It is the customer's birthday where they live: local midnight of the day in their
    profile's time zone (UTC if none) has come. Once per user and year. A 29 February
    birthday is celebrated on 28 February in a year that has no 29th (`on` says which)."""

    user_id: UUID
    year: int  # the year of the celebration (at most one event per user and year)
    on: date  # the local date celebrated
    birth_month: int
    birth_day: int
    time_zone: str  # the IANA zone whose midnight it was
    reached_at: datetime  # when it was announced (UTC)


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
    REFERRAL = "referral"
    CONTENT_CALL = "content_call"  # a content call won (content's call.winner_chosen)


@event("flywheel.users.points.earned.v1", topic=POINTS, key="user_id")
class PointsEarned(EventData):
    """Points were earned: for a paid order (frozen until the order completes), a daily
    check-in, a referral or a content call won (available at once)."""

    user_id: UUID
    points: int = Field(gt=0)
    earned_for: EarnedFor
    order_id: UUID | None = None
    call_id: UUID | None = Field(default=None, description="Content calls: the call won")
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


LIFECYCLE = "flywheel.users.lifecycle"


class LifecycleStage(StrEnum):
    """Where a user stands in the lifecycle (docs/users.md: the state machine)."""

    POTENTIAL = "potential"  # registered, never paid
    NEW = "new"  # first paid order within the rules' new_days
    ACTIVE = "active"
    HIGH_VALUE = "high_value"
    DORMANT = "dormant"  # no activity for the rules' dormant_days
    CHURNED = "churned"  # no activity for the rules' churned_days


class LifecycleReason(StrEnum):
    FIRST_ORDER = "first_order"
    NEW_PERIOD_OVER = "new_period_over"
    SPEND_REACHED = "spend_reached"
    SPEND_FELL = "spend_fell"
    INACTIVE = "inactive"
    REACTIVATED = "reactivated"
    RULES_CHANGED = "rules_changed"


@event("flywheel.users.lifecycle.changed.v1", topic=LIFECYCLE, key="user_id")
class LifecycleChanged(EventData):
    """A user moved from one lifecycle stage to another, under the rules of `rule_version`."""

    user_id: UUID
    from_stage: LifecycleStage
    to_stage: LifecycleStage
    reason: LifecycleReason
    rule_version: int = Field(ge=1)
    changed_at: datetime


class Tier(StrEnum):
    """Membership tiers, lowest first."""

    REGULAR = "regular"
    SILVER = "silver"
    GOLD = "gold"
    PLATINUM = "platinum"


class TierReason(StrEnum):
    UPGRADE = "upgrade"  # the rolling 12-month spend reached a higher tier: at once
    REVIEW = "review"  # the review date came and the spend no longer holds the tier


@event("flywheel.users.tier.changed.v1", topic="flywheel.users.membership", key="user_id")
class TierChanged(EventData):
    """A user's membership tier changed: upgrades at once, downgrades on the review date."""

    user_id: UUID
    from_tier: Tier
    to_tier: Tier
    reason: TierReason
    spend_12m: int = Field(ge=0, description="Rolling 12-month net spend, minor units")
    review_at: datetime | None = Field(description="When the tier is next reviewed")
    table_version: int | None = Field(
        default=None,
        ge=1,
        description="The version of the tier table it was decided under (absent in events "
        "published before it was recorded)",
    )
    changed_at: datetime


class TierLevel(BaseModel):
    """One tier of a tier table: the spend that reaches it and what it gives."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tier: Tier
    spend_12m: int = Field(
        ge=0, description="Rolling 12-month net spend that reaches it, minor units"
    )
    points_multiplier_percent: int = Field(ge=100, description="Points earned x this / 100")
    member_price: bool = Field(description="May buy at member prices")
    free_shipping_threshold: int = Field(ge=0, description="Orders from this amount ship free")


@event("flywheel.users.tier_table.changed.v1", topic="flywheel.users.membership", key="version")
class TierTableChanged(EventData):
    """An operator made a new version of the membership tier table: it rules from the next
    decision on (upgrades at once, downgrades at each member's review). Versions only rise:
    a consumer keeping the table keeps the highest version it has seen."""

    version: int = Field(ge=2, description="The version now in force")
    levels: list[TierLevel] = Field(min_length=1, description="Every tier, lowest first")
    changed_by: UUID
    changed_at: datetime


@event("flywheel.users.rfm.cuts_changed.v1", topic="flywheel.users.rfm", key="basis")
class RfmCutsChanged(EventData):
    """The cut-offs between RFM scores changed: recomputed quintiles or set by an operator.
    Each list holds four ascending cut-offs separating scores 1..5. On a fresh population the
    first are the quintiles computed at the first paid order, over those who paid so far."""

    basis: str = Field(description="`quintiles` or `operator`")
    recency_days: list[int] = Field(min_length=4, max_length=4)
    frequency: list[int] = Field(min_length=4, max_length=4)
    monetary: list[int] = Field(min_length=4, max_length=4)
    population: int = Field(ge=0, description="Users with a paid order when computed")
    changed_at: datetime


class RfmReason(StrEnum):
    FIRST_ORDER = "first_order"  # first paid order: scored from then on
    PAID = "paid"  # another paid order moved frequency or monetary
    REFUNDED = "refunded"
    AGED = "aged"  # days since the last paid order crossed a recency cut-off
    CUTS_CHANGED = "cuts_changed"
    ERASED = "erased"  # no longer scored


@event("flywheel.users.rfm.scores_changed.v1", topic="flywheel.users.rfm", key="user_id")
class RfmScoresChanged(EventData):
    """A user's RFM scores (1..5 each, against the cut-offs in force) changed; published only
    when one of the three scores changes, so counting users by their latest scores per day
    gives the RFM distribution over time. `from_code` is None on a user's first scores,
    `to_code` None when the user is no longer scored (erased)."""

    user_id: UUID
    from_code: str | None = Field(pattern=r"^[1-5]{3}$", description='e.g. "543": R, F, M')
    to_code: str | None = Field(pattern=r"^[1-5]{3}$")
    reason: RfmReason
    changed_at: datetime


SEGMENT = "flywheel.users.segment"  # keyed by user: one user's entries and exits in order


@event("flywheel.users.segment.entered.v1", topic=SEGMENT, key="user_id")
class SegmentEntered(EventData):
    """A user now matches a segment's rule (on its creation or an edit of its rule, as their
    data changed, or as time passed through one of its windows)."""

    segment_id: UUID
    user_id: UUID
    entered_at: datetime


@event("flywheel.users.segment.left.v1", topic=SEGMENT, key="user_id")
class SegmentLeft(EventData):
    """A user no longer matches a segment's rule."""

    segment_id: UUID
    user_id: UUID
    left_at: datetime


@event("flywheel.users.segment.deleted.v1", topic=SEGMENT, key="segment_id")
class SegmentDeleted(EventData):
    """An operator deleted a segment: it is no longer maintained, and no `segment.left` is
    published for the members it had. A consumer keeping its membership drops it all."""

    segment_id: UUID
    name: str
    members: int = Field(ge=0, description="Members it had when deleted")
    deleted_by: UUID
    deleted_at: datetime


@event("flywheel.users.referral.rewarded.v1", topic="flywheel.users.referral", key="referee_id")
class ReferralRewarded(EventData):
    """A referred customer's first order completed: both sides got their points, once."""

    referrer_id: UUID
    referee_id: UUID
    order_id: UUID = Field(description="The completed order that released the reward")
    referrer_points: int = Field(gt=0)
    referee_points: int = Field(gt=0)
    rewarded_at: datetime
