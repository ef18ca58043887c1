"""The CloudEvents 1.0 envelope (structured JSON mode) and the base of event payloads."""

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

CONTENT_TYPE = "application/cloudevents+json"


class EventData(BaseModel):
    """Base of every event payload: immutable, and strict about unknown fields when built
    (a publisher cannot misspell one); consumers read with unknown fields ignored, so adding
    an optional field is not a breaking change (chassis.events.consumer)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class CloudEvent(BaseModel):
    model_config = ConfigDict(extra="allow")

    specversion: Literal["1.0"] = "1.0"
    id: UUID
    source: str = Field(min_length=1)
    type: str = Field(min_length=1)
    time: datetime
    subject: str | None = None
    datacontenttype: Literal["application/json"] = "application/json"
    data: dict[str, Any]

    def to_bytes(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode()
