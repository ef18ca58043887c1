"""Request and response bodies of the supplier and purchase-order routes."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from chassis.http.fields import Trimmed
from services.catalog.suppliers.rules import OrderState

Name = Trimmed(200)
Note = Trimmed(500, min_length=0)
Units = Annotated[int, Field(strict=True, ge=0, le=1_000_000_000)]
LeadTime = Annotated[int, Field(strict=True, ge=0, le=365, description="Days")]


class SupplierIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    contact: Note | None = None
    lead_time_days: LeadTime


class SupplierChange(BaseModel):
    """Fields left out stay as they are."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    contact: Note | None = None
    lead_time_days: LeadTime | None = None


class SuppliedSkuIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    safety_stock: Units = 0


class ScorecardOut(BaseModel):
    receipts: int
    on_time: int
    on_time_rate: float | None = Field(description="Receipts by the expected date, 0 to 1")
    units: int = Field(description="Units received, good and defective")
    defective: int
    defect_rate: float | None = Field(description="Defective units of those received, 0 to 1")


class SupplierOut(BaseModel):
    id: UUID
    name: str
    contact: str | None
    lead_time_days: int
    created_at: datetime
    scorecard: ScorecardOut


class SuppliedSkuOut(BaseModel):
    supplier_id: UUID
    sku_id: UUID
    safety_stock: int


class ReorderOut(BaseModel):
    """A SKU's restocking figures: reorder point = ceil(velocity x lead time) + safety stock;
    at or below it, order up to it plus the cover days' sales."""

    sku_id: UUID
    sold_30d: int
    velocity_per_day: float
    lead_time_days: int
    safety_stock: int
    reorder_point: int
    available: int
    on_order: int
    position: int
    quantity: int = Field(description="To order now (0: above the reorder point)")


class LineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku_id: UUID
    quantity: Annotated[int, Field(strict=True, gt=0, le=1_000_000_000)]


class PurchaseOrderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    supplier_id: UUID
    lines: list[LineIn] = Field(min_length=1, max_length=500)
    note: Note | None = None


class SuggestedOrderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Note | None = None


class ReceiptLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku_id: UUID
    quantity: Units = Field(default=0, description="Good units, added to stock")
    defective: Units = Field(default=0, description="Units refused as defective")


class ReceiptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lines: list[ReceiptLineIn] = Field(min_length=1, max_length=500)
    note: Note | None = None


class LineOut(BaseModel):
    sku_id: UUID
    quantity: int
    received: int
    defective: int
    outstanding: int


class PurchaseOrderOut(BaseModel):
    id: UUID
    supplier_id: UUID
    state: OrderState
    suggested: bool
    note: str | None
    created_by: UUID
    created_at: datetime
    sent_at: datetime | None
    expected_at: datetime | None
    closed_at: datetime | None
    lines: list[LineOut]


class SuggestedOrderOut(BaseModel):
    purchase_order: PurchaseOrderOut
    figures: list[ReorderOut] = Field(description="What each line's quantity comes from")
