"""Request and response bodies of payments."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from chassis.money import Money
from services.orders.checkout.lifecycle import OrderStatus
from services.orders.payments.models import PaymentStatus


class PaymentRequest(BaseModel):
    """Nothing to choose yet: the amount is the order's; one provider (simulated)."""

    model_config = ConfigDict(extra="forbid")


class PaymentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    order_id: UUID
    provider: str
    amount: Money
    status: PaymentStatus
    page_url: str = Field(description="The provider's page the customer pays on")
    created_at: datetime
    paid_at: datetime | None


class CallbackBody(BaseModel):
    """What the provider says was paid (signed: see payments/signatures.py)."""

    model_config = ConfigDict(extra="forbid")

    payment_id: UUID
    order_id: UUID
    amount: Money
    reference: str = Field(min_length=1, max_length=200)
    payer_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=128,
        description="The provider's id of the account that paid (as Alipay's buyer_id or a "
        "card fingerprint), when it tells: kept nowhere, only its keyed hash goes on "
        "`order.paid` as `payer_ref`",
    )


class CallbackOut(BaseModel):
    payment_id: UUID
    order_id: UUID
    order_status: OrderStatus
    refund_id: UUID | None = Field(
        default=None, description="Set when the order could not take the payment (cancelled)"
    )
