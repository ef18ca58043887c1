"""Request and response bodies of the inventory routes."""

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from chassis.http.fields import Trimmed
from services.catalog.inventory.models import HoldState, ReservationState, ReturnState

Units = Annotated[int, Field(strict=True, ge=0, le=1_000_000_000)]


class Adjustment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    delta: Annotated[int, Field(strict=True, ge=-1_000_000_000, le=1_000_000_000)]
    reason: Literal["receipt", "return", "damage", "count"]
    note: Trimmed(500, min_length=0) | None = None


class Threshold(BaseModel):
    model_config = ConfigDict(extra="forbid")

    low_stock_threshold: Units


class StockOut(BaseModel):
    sku_id: UUID
    on_hand: int
    reserved: int
    held: int = Field(description="Set aside for flash sessions")
    available: int = Field(description="on_hand - reserved - held")
    low_stock_threshold: int
    low: bool = Field(description="Available at or below the threshold")


class LedgerEntryOut(BaseModel):
    id: UUID
    delta: int
    reason: str
    note: str | None
    order_id: UUID | None
    purchase_order_id: UUID | None
    refund_id: UUID | None = Field(description="The refund that brought the goods back")
    flash_session_id: UUID | None = Field(description="The flash session held for, or ended")
    held: int = Field(description="Units set aside for the session (+) or back from it (-)")
    created_by: UUID | None
    created_at: datetime


class ReservationLineOut(BaseModel):
    sku_id: UUID
    quantity: int
    flash_session_id: UUID | None = Field(description="The flash session it was drawn from")
    from_hold: int = Field(description="Units of it drawn from the session's hold")


class ReservationOut(BaseModel):
    order_id: UUID
    state: ReservationState
    expires_at: datetime
    expired: bool
    created_at: datetime
    settled_at: datetime | None
    lines: list[ReservationLineOut]


class ReturnOut(BaseModel):
    """Units of a SKU a refund says came back, and what became of them."""

    refund_id: UUID
    sku_id: UUID
    order_id: UUID
    quantity: int = Field(description="What the refund names")
    resaleable: bool = Field(description="Put back on hand (else counted only)")
    state: ReturnState = Field(
        description="`pending` until the catalog has the order's sale, then `settled`; "
        "`void` if the order was never sold"
    )
    counted: int = Field(description="Counted against the sale: at most what it bought")
    received_at: datetime
    settled_at: datetime | None


class FlashHoldOut(BaseModel):
    """Stock of a SKU set aside for a flash session."""

    session_id: UUID
    sku_id: UUID
    quantity: int = Field(description="Units held (asked for, if refused)")
    drawn: int = Field(description="Units the session's orders took")
    returned: int | None = Field(description="Units back to available stock when it ended")
    available: int | None = Field(description="What was available when refused")
    state: HoldState
    created_at: datetime
    ended_at: datetime | None
