"""Request and response bodies of collection."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from chassis.http.fields import Timestamp
from contracts.analytics import Action, BotSignal

ANONYMOUS_ID = Field(
    min_length=8, max_length=64, description="The client's anonymous id (device or browser)"
)


class CollectedEvent(BaseModel):
    """One behaviour event as a storefront reports it."""

    model_config = ConfigDict(extra="forbid")

    client_event_id: str = Field(
        min_length=1,
        max_length=64,
        description="Unique per anonymous id: a retried batch "
        "sends the same ids, and each is published once",
    )
    name: str = Field(
        min_length=1,
        max_length=50,
        description="page_view, product_view, search, add_to_cart, content_view, share or click",
    )
    client_time: Timestamp = Field(description="When it happened, by the client's clock")
    target: str | None = Field(
        default=None, max_length=200, description="Product, content or query"
    )
    properties: dict[str, Any] = Field(default_factory=dict, max_length=50)


class CollectBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    anonymous_id: str = ANONYMOUS_ID
    events: list[Any] = Field(
        min_length=1, description="Behaviour events (at most 500; each is judged on its own)"
    )


class Reason(BaseModel):
    field: str
    message: str


class Rejected(BaseModel):
    index: int = Field(description="Position of the event in the batch")
    client_event_id: str | None
    reasons: list[Reason]


class Kept(BaseModel):
    index: int
    client_event_id: str


class Flagged(Kept):
    signals: list[BotSignal] = Field(description="Why it looks like a bot's")


class CollectResult(BaseModel):
    accepted: list[Kept] = Field(description="Published now")
    duplicates: list[Kept] = Field(description="Sent before (same client event id): kept once")
    rejected: list[Rejected]
    flagged: list[Flagged] = Field(
        description="Of those accepted, the ones kept as a bot's: not counted by metrics"
    )


class Behaviour(BaseModel):
    """One event of the first behaviour API (`POST /behaviour`)."""

    model_config = ConfigDict(extra="forbid")

    action: Action
    target: str | None = Field(default=None, max_length=200)
    anonymous_id: str | None = Field(default=None, min_length=8, max_length=64)
    properties: dict[str, Any] = Field(default_factory=dict, max_length=50)
    occurred_at: Timestamp | None = None


class BehaviourBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    events: list[Behaviour] = Field(min_length=1, max_length=100)


class Accepted(BaseModel):
    accepted: int
