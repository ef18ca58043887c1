"""Request and response bodies of fulfilment."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class ShipmentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    carrier: str = Field(min_length=1, max_length=100, examples=["SF Express"])
    tracking_number: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9-]+$")


class ShipmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    order_id: UUID
    carrier: str
    tracking_number: str
    shipped_at: datetime
