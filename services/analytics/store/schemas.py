"""Response bodies of the event store's API."""

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel


class EventOut(BaseModel):
    id: UUID
    type: str
    source: str
    subject: str | None
    time: datetime
    data: dict[str, Any]
