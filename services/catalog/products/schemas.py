"""Request and response bodies of the catalog API."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from chassis.money import Money
from services.catalog.products.models import ListingState

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class ProductCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    description: str | None = Field(default=None, max_length=10_000)
    category_id: UUID | None = None
    price: Money | None = None


class ProductOut(BaseModel):
    id: UUID
    name: str
    description: str | None
    category_id: UUID | None
    state: ListingState
    price: Money | None
    units_sold: int
    created_at: datetime
