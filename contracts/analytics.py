"""Events the analytics service publishes: client behaviour collected through its API (one
event per behaviour, sent in batches of one actor's), and alerts."""

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import Field

from chassis.events import EventData, event


class Action(StrEnum):
    """What the client saw or did. `view`, `content_interaction` and `exposure` (an
    experiment variant shown) come from the first behaviour API; the others from `collect`."""

    PAGE_VIEW = "page_view"
    PRODUCT_VIEW = "product_view"
    SEARCH = "search"
    ADD_TO_CART = "add_to_cart"
    CONTENT_VIEW = "content_view"
    SHARE = "share"
    CLICK = "click"
    VIEW = "view"
    CONTENT_INTERACTION = "content_interaction"
    EXPOSURE = "exposure"


class BotSignal(StrEnum):
    """Why collection judged an event to be a bot's (`services/analytics/collect/bots.py`)."""

    USER_AGENT = "user_agent"  # a crawler, headless browser or HTTP library
    RATE = "rate"  # too many events in one second
    NO_DWELL = "no_dwell"  # a long run of product views without time to read them


@event(
    "flywheel.analytics.behaviour.recorded.v1", topic="flywheel.analytics.behaviour", key="actor"
)
class BehaviourRecorded(EventData):
    """A storefront reported what a user did (a view, a search, an add-to-cart...)."""

    behaviour_id: UUID
    actor: str = Field(description="User id when logged in, else the client's anonymous id")
    user_id: UUID | None = None
    anonymous_id: str | None = Field(
        default=None,
        description="The client's anonymous id; with `user_id`, it links the two (stitching)",
    )
    client_event_id: str | None = Field(
        default=None, description="The client's own id of the event, unique per anonymous id"
    )
    action: Action
    target: str | None = Field(default=None, description="Product, content or query acted on")
    properties: dict[str, Any] = Field(default_factory=dict)
    occurred_at: datetime = Field(description="When it happened, by the client's clock")
    bot_signals: list[BotSignal] = Field(
        default_factory=list,
        description="Why it looks like a bot's (empty: a person's); kept, not counted",
    )


@event(
    "flywheel.analytics.behaviour.batch_recorded.v1",
    topic="flywheel.analytics.behaviour",
    key="actor",
    batch_of=BehaviourRecorded,
)
class BehaviourBatchRecorded(EventData):
    """Behaviour of one actor collected together (one collect request, or part of one):
    consumers of `BehaviourRecorded` receive each of its events as an event of its own,
    with an id derived from this one's (chassis.events.batches)."""

    actor: str = Field(description="The actor of every event of the batch")
    events: list[BehaviourRecorded] = Field(min_length=1)


class AlertMetric(StrEnum):
    """What an alert rule watches: a sales figure over its window, in its currency."""

    GMV = "gmv"
    ORDERS = "orders"
    PAYING_USERS = "paying_users"
    REFUND_RATE = "refund_rate"


class AlertCondition(StrEnum):
    """`above`/`below` a value, or `up_percent`/`down_percent` against the same window a
    week before (the same hour last week, for a one-hour window)."""

    ABOVE = "above"
    BELOW = "below"
    UP_PERCENT = "up_percent"
    DOWN_PERCENT = "down_percent"


class _AlertChange(EventData):
    rule_id: UUID
    name: str
    metric: AlertMetric
    currency: str
    condition: AlertCondition
    threshold: float = Field(
        description="The condition's value: minor units, a count, a share or a percent"
    )
    window_s: int = Field(description="The window's length in seconds, ending at `at`")
    value: float = Field(description="The metric over the window when the rule was evaluated")
    baseline: float | None = Field(
        default=None, description="The metric a week before (change conditions only)"
    )
    at: datetime = Field(description="The end of the window evaluated")


@event("flywheel.analytics.alert.fired.v1", topic="flywheel.analytics.alert", key="rule_id")
class AlertFired(_AlertChange):
    """An alert rule's condition became true; it stays quiet until it recovers."""


@event("flywheel.analytics.alert.recovered.v1", topic="flywheel.analytics.alert", key="rule_id")
class AlertRecovered(_AlertChange):
    """A firing alert rule's condition is no longer true."""
