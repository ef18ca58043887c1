"""Events the orders service publishes: carts, and each step of an order's life.

The order saga, by events (catalog, campaigns and users answer in their own contracts):
`order.placed` → catalog `stock.reserved` or `stock.rejected`; campaigns `coupons.locked` or
`coupons.refused` (when the order carries coupons or a flash reservation); users
`points.held` or `points.refused` (when it redeems points) → `order.awaiting_payment`, or
`order.cancelled` with the reason, upon which every participant returns what it took →
`order.paid` (stock confirmed, coupons redeemed, points taken and earned) → `order.shipped`
→ `order.delivered` → `order.completed` after the return window. `order.cancelled` also
follows an unpaid order's timeout.

After-sales (售后), on `flywheel.orders.aftersale`: `aftersale.requested` (refund only, or
return and refund, per line) → `aftersale.approved`, `aftersale.rejected` or (by the
customer) `aftersale.withdrawn`; for a return the
refund waits until the goods are received back. Money back to the customer of a paid order,
by an approved request or an operator's refund: `refund.completed`, with the lines and
amounts, upon which users reverses points earned and analytics GMV and RFM.
"""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from chassis.events import EventData, event
from chassis.money import Money

ORDER = "flywheel.orders.order"


class OrderLine(BaseModel):
    """One line as placed, with the breakdown that every later refund is measured from:
    `paid` = `unit_price` * `quantity` - `coupon_discount` - `points_discount`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sku_id: UUID
    quantity: int = Field(gt=0)
    list_price: Money = Field(description="Catalog unit price when the order was placed")
    unit_price: Money = Field(description="Unit price charged before coupons and points")
    coupon_discount: Money | None = Field(default=None, description="This line's coupon share")
    points_discount: Money | None = Field(default=None, description="This line's points share")
    paid: Money = Field(description="What the customer pays for the line")


class Attribution(BaseModel):
    """What brought the order about, for budgets, ROI and GMV attribution."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    campaign_ids: list[UUID] = Field(default_factory=list)
    coupon_ids: list[UUID] = Field(default_factory=list)
    flash_reservation_id: UUID | None = None
    flash_session_id: UUID | None = Field(
        default=None,
        description="The flash session of `flash_reservation_id`, whose stock hold sells the "
        "line of `flash_sku_id` (so the catalog needs no `flash.reserved` to draw it)",
    )
    flash_sku_id: UUID | None = Field(
        default=None, description="The SKU of the line `flash_reservation_id` prices"
    )
    group_id: UUID | None = None
    bargain_id: UUID | None = None
    content_id: UUID | None = Field(default=None, description="Content the buyer came from")


class CancelReason(StrEnum):
    STOCK_REJECTED = "stock_rejected"
    COUPONS_REFUSED = "coupons_refused"
    POINTS_REFUSED = "points_refused"
    PAYMENT_TIMEOUT = "payment_timeout"
    CUSTOMER = "customer"
    OPERATOR = "operator"
    GROUP_FAILED = "group_failed"


@event("flywheel.orders.order.placed.v1", topic=ORDER, key="order_id")
class OrderPlaced(EventData):
    """A customer placed an order: participants reserve stock, lock coupons, hold points."""

    order_id: UUID
    customer_id: UUID
    lines: list[OrderLine] = Field(min_length=1)
    total: Money = Field(description="What the customer pays for the order, shipping included")
    shipping_fee: Money | None = None
    points: int = Field(default=0, ge=0, description="Points the customer redeems")
    attribution: Attribution = Field(default_factory=Attribution)
    placed_at: datetime


@event("flywheel.orders.order.awaiting_payment.v1", topic=ORDER, key="order_id")
class OrderAwaitingPayment(EventData):
    """Every participant took its share: the order waits for payment until `expires_at`."""

    order_id: UUID
    customer_id: UUID
    amount: Money
    expires_at: datetime


@event("flywheel.orders.order.paid.v1", topic=ORDER, key="order_id")
class OrderPaid(EventData):
    """The payment was confirmed: stock is confirmed, coupons redeemed, points taken."""

    order_id: UUID
    customer_id: UUID
    lines: list[OrderLine] = Field(min_length=1)
    total: Money
    points: int = Field(default=0, ge=0)
    attribution: Attribution = Field(default_factory=Attribution)
    payer_ref: str | None = Field(
        default=None,
        pattern=r"^[0-9a-f]{32}$",
        description="Who paid, as a reference: a keyed hash (HMAC-SHA256, 32 hex characters) of "
        "the provider's id of the paying account (Alipay's buyer_id, a card fingerprint), "
        "never the id itself. Equal references are one account at one provider. None when "
        "the provider did not say (and on events published before it was carried).",
    )
    paid_at: datetime


@event("flywheel.orders.order.cancelled.v1", topic=ORDER, key="order_id")
class OrderCancelled(EventData):
    """The order will not go on: each participant returns what it took for it, once."""

    order_id: UUID
    customer_id: UUID
    reason: CancelReason
    detail: str | None = None
    lines: list[OrderLine] = Field(min_length=1)
    points: int = Field(default=0, ge=0)
    attribution: Attribution = Field(default_factory=Attribution)
    cancelled_at: datetime


@event("flywheel.orders.order.shipped.v1", topic=ORDER, key="order_id")
class OrderShipped(EventData):
    """Some or all lines left the warehouse."""

    order_id: UUID
    customer_id: UUID
    shipment_id: UUID
    carrier: str
    tracking_number: str
    sku_ids: list[UUID] = Field(min_length=1)
    shipped_at: datetime


@event("flywheel.orders.order.delivered.v1", topic=ORDER, key="order_id")
class OrderDelivered(EventData):
    """The customer confirmed receipt (确认收货), or it was confirmed automatically."""

    order_id: UUID
    customer_id: UUID
    automatic: bool
    delivered_at: datetime


@event("flywheel.orders.order.completed.v1", topic=ORDER, key="order_id")
class OrderCompleted(EventData):
    """The return window closed: what waited for it (frozen points, referral rewards) goes."""

    order_id: UUID
    customer_id: UUID
    total: Money
    completed_at: datetime


class RefundedLine(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    sku_id: UUID
    quantity: int = Field(ge=0, description="Units returned (0 for a refund without return)")
    amount: Money
    line_no: int | None = Field(
        default=None, ge=0, description="The order line refunded (its number, from 0)"
    )


@event("flywheel.orders.refund.completed.v1", topic="flywheel.orders.refund", key="order_id")
class RefundCompleted(EventData):
    """Money went back to the customer: points earned are reversed, GMV and RFM adjusted."""

    refund_id: UUID
    order_id: UUID
    customer_id: UUID
    lines: list[RefundedLine] = Field(min_length=1)
    amount: Money = Field(description="Everything given back: the lines, and the shipping fee")
    shipping_fee: Money | None = Field(
        default=None,
        description="The order's shipping fee given back with this refund (part of `amount`): "
        "once per order, by the refund that leaves nothing of its lines unrefunded, unless "
        "it settles a return",
    )
    restock: bool = Field(description="The goods came back resaleable")
    coupon_ids_restored: list[UUID] = Field(default_factory=list)
    completed_at: datetime
    aftersale_id: UUID | None = Field(
        default=None, description="The after-sales request it settles; None: an operator's refund"
    )


AFTERSALE = "flywheel.orders.aftersale"


class AfterSaleKind(StrEnum):
    REFUND_ONLY = "refund_only"  # 仅退款
    RETURN_AND_REFUND = "return_and_refund"  # 退货退款


class AfterSaleLine(BaseModel):
    """What a request asks back for one order line: units and the refund they are worth."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    line_no: int = Field(ge=0)
    sku_id: UUID
    quantity: int = Field(gt=0)
    amount: Money = Field(description="The share of what was paid for the line these units are")


@event("flywheel.orders.aftersale.requested.v1", topic=AFTERSALE, key="aftersale_id")
class AfterSaleRequested(EventData):
    """A customer asked for a refund (with or without returning the goods) within the window."""

    aftersale_id: UUID
    order_id: UUID
    customer_id: UUID
    kind: AfterSaleKind
    lines: list[AfterSaleLine] = Field(min_length=1)
    amount: Money
    reason: str
    photo_urls: list[str] = Field(default_factory=list)
    requested_at: datetime


@event("flywheel.orders.aftersale.approved.v1", topic=AFTERSALE, key="aftersale_id")
class AfterSaleApproved(EventData):
    """An operator approved the request: a refund only is refunded now; for a return, the
    refund follows when the goods are received back."""

    aftersale_id: UUID
    order_id: UUID
    customer_id: UUID
    kind: AfterSaleKind
    approved_by: UUID
    note: str | None = None
    approved_at: datetime


@event("flywheel.orders.aftersale.rejected.v1", topic=AFTERSALE, key="aftersale_id")
class AfterSaleRejected(EventData):
    """An operator rejected the request, with the reason the customer is shown."""

    aftersale_id: UUID
    order_id: UUID
    customer_id: UUID
    kind: AfterSaleKind
    rejected_by: UUID
    reason: str
    rejected_at: datetime


@event("flywheel.orders.aftersale.withdrawn.v1", topic=AFTERSALE, key="aftersale_id")
class AfterSaleWithdrawn(EventData):
    """The customer took the request back before an operator decided it."""

    aftersale_id: UUID
    order_id: UUID
    customer_id: UUID
    kind: AfterSaleKind
    withdrawn_at: datetime


CART = "flywheel.orders.cart"


@event("flywheel.orders.cart.item_added.v1", topic=CART, key="customer_id")
class CartItemAdded(EventData):
    """A SKU went into a customer's cart, or its quantity changed: abandoned-cart journeys
    start from here."""

    customer_id: UUID
    sku_id: UUID
    quantity: int = Field(gt=0, description="The line's quantity now")
    unit_price: Money = Field(description="The list price when it was added")
    added_at: datetime


@event("flywheel.orders.cart.item_removed.v1", topic=CART, key="customer_id")
class CartItemRemoved(EventData):
    """A customer took a SKU out of their cart."""

    customer_id: UUID
    sku_id: UUID
    removed_at: datetime
