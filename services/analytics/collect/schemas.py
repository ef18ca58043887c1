"""Request and response bodies of collection."""

from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.analytics import Action


class Behaviour(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Action
    target: str | None = Field(default=None, max_length=200)
    anonymous_id: str | None = Field(default=None, min_length=8, max_length=64)
    properties: dict[str, Any] = Field(default_factory=dict, max_length=50)
    occurred_at: AwareDatetime | None = None


class BehaviourBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    events: list[Behaviour] = Field(min_length=1, max_length=100)


class Accepted(BaseModel):
    accepted: int
