"""Response bodies of the engagement API."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict


class MessageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    template: str
    title: str
    body: str
    created_at: datetime
    read_at: datetime | None
