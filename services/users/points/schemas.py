"""Response bodies of points."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field

from chassis.pagination import Page
from services.users.points.models import EntryKind


class EntryOut(BaseModel):
    id: UUID
    kind: EntryKind
    available_delta: int = Field(description="Change of the spendable balance")
    frozen_delta: int = Field(description="Change of the points waiting for a return window")
    held_delta: int = Field(description="Change of the points held for unpaid orders")
    order_id: UUID | None
    created_at: datetime


class PointsOut(BaseModel):
    balance: int = Field(description="Points that can be spent now")
    frozen: int = Field(description="Earned, available once their orders' return windows close")
    held: int = Field(description="Held for orders not paid yet")
    ledger: Page[EntryOut] = Field(description="The movements, newest first")
