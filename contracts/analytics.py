"""Events the analytics service publishes: client behaviour collected through its API."""

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import Field

from chassis.events import EventData, event


class Action(StrEnum):
    VIEW = "view"
    SEARCH = "search"
    ADD_TO_CART = "add_to_cart"
    CONTENT_INTERACTION = "content_interaction"
    EXPOSURE = "exposure"


@event(
    "flywheel.analytics.behaviour.recorded.v1", topic="flywheel.analytics.behaviour", key="actor"
)
class BehaviourRecorded(EventData):
    """A storefront reported what a user did (a view, a search, an add-to-cart...)."""

    behaviour_id: UUID
    actor: str = Field(description="User id when logged in, else the client's anonymous id")
    user_id: UUID | None = None
    action: Action
    target: str | None = Field(default=None, description="Product, content or query acted on")
    properties: dict[str, Any] = Field(default_factory=dict)
    occurred_at: datetime
