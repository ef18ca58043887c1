"""Events the analytics service publishes: client behaviour collected through its API."""

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
