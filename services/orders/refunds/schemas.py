"""Request and response bodies of refunds."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from chassis.http.fields import JsonInt, Trimmed
from chassis.money import Money
from services.orders.refunds.models import RefundStatus

Reason = Trimmed(500)


class RefundLineRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    line_no: JsonInt = Field(ge=0, le=99)
    amount: Money = Field(description="To give back for the line (more than 0)")

    @model_validator(mode="after")
    def not_nothing(self) -> "RefundLineRequest":
        if self.amount.amount == 0:
            raise ValueError("a refund of nothing is no refund")
        return self


class RefundRequest(BaseModel):
    """An operator's refund without a return: `full` (what remains of every line) or the
    lines named, each at most what remains of what was paid for it."""

    model_config = ConfigDict(extra="forbid")

    full: StrictBool = False
    lines: list[RefundLineRequest] = Field(default_factory=list, max_length=100)
    reason: Reason

    @model_validator(mode="after")
    def full_or_lines(self) -> "RefundRequest":
        if self.full == bool(self.lines):
            raise ValueError("give either full: true or the lines to refund, not both")
        if len({line.line_no for line in self.lines}) != len(self.lines):
            raise ValueError("name each line once")
        return self


class RefundLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    line_no: int
    sku_id: UUID
    quantity: int = Field(description="Units returned (0 for a refund without return)")
    amount: Money


class RefundOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    order_id: UUID
    aftersale_id: UUID | None
    automatic: bool = Field(description="A payment the order could not take, given back whole")
    amount: Money = Field(description="The lines' refunds and the shipping fee's")
    shipping_fee: Money | None = Field(description="The shipping fee given back with it")
    reason: str
    status: RefundStatus
    restock: bool
    lines: list[RefundLineOut]
    created_at: datetime
    completed_at: datetime | None
