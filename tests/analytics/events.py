"""Envelopes for analytics tests: behaviour and orders as the other services publish them."""

from datetime import datetime, timedelta
from uuid import UUID

from chassis.events import CloudEvent, EventData, registry
from chassis.ids import new_id
from chassis.money import Money
from contracts.analytics import Action, BehaviourRecorded, BotSignal
from contracts.campaigns import CouponClaimed
from contracts.catalog import ProductCreated, ProductUpdated, SkuPrice
from contracts.orders import Attribution, OrderLine, OrderPaid, RefundCompleted, RefundedLine
from contracts.users import SegmentEntered, SegmentLeft


def envelope(data: EventData, at: datetime, source: str = "/flywheel/test") -> CloudEvent:
    spec = registry.of(data)
    return CloudEvent(
        id=new_id(),
        source=source,
        type=spec.type,
        time=at,
        subject=spec.key_of(data),
        data=data.model_dump(mode="json"),
    )


def behaviour(
    action: Action,
    at: datetime,
    *,
    anonymous_id: str | None = None,
    user_id: UUID | None = None,
    bot_signals: list[BotSignal] = (),
) -> CloudEvent:
    data = BehaviourRecorded(
        behaviour_id=new_id(),
        actor=str(user_id) if user_id else anonymous_id,
        user_id=user_id,
        anonymous_id=anonymous_id,
        action=action,
        occurred_at=at,
        bot_signals=list(bot_signals),
    )
    return envelope(data, at, source="/flywheel/analytics")


def paid(customer_id: UUID, at: datetime, *amounts: int, currency: str = "CNY") -> CloudEvent:
    return order_paid(customer_id, at, [(new_id(), amount) for amount in amounts], currency)


def order_paid(
    customer_id: UUID,
    at: datetime,
    lines: list[tuple[UUID, int]],
    currency: str = "CNY",
    *,
    order_id: UUID | None = None,
    attribution: Attribution | None = None,
) -> CloudEvent:
    """An order paid with a line per (SKU, amount paid) and quantity 1."""
    order_lines = [
        OrderLine(
            sku_id=sku_id,
            quantity=1,
            list_price=Money(amount=amount, currency=currency),
            unit_price=Money(amount=amount, currency=currency),
            paid=Money(amount=amount, currency=currency),
        )
        for sku_id, amount in lines
    ]
    total = Money(amount=sum(a for _, a in lines) + 1000, currency=currency)  # shipping: no GMV
    data = OrderPaid(
        order_id=order_id or new_id(),
        customer_id=customer_id,
        lines=order_lines,
        total=total,
        attribution=attribution or Attribution(),
        paid_at=at,
    )
    return envelope(data, at, source="/flywheel/orders")


def refunded(
    customer_id: UUID,
    at: datetime,
    amount: int,
    currency: str = "CNY",
    *,
    order_id: UUID | None = None,
    sku_id: UUID | None = None,
) -> CloudEvent:
    money = Money(amount=amount, currency=currency)
    data = RefundCompleted(
        refund_id=new_id(),
        order_id=order_id or new_id(),
        customer_id=customer_id,
        lines=[RefundedLine(sku_id=sku_id or new_id(), quantity=1, amount=money)],
        amount=money,
        restock=True,
        completed_at=at,
    )
    return envelope(data, at, source="/flywheel/orders")


def product(
    product_id: UUID,
    at: datetime,
    category_id: UUID | None,
    sku_ids: list[UUID] = (),
    *,
    updated: bool = False,
) -> CloudEvent:
    """A product created (or updated) in a category with these SKUs."""
    skus = [
        SkuPrice(sku_id=s, code=f"sku-{n}", price=Money(amount=100, currency="CNY"))
        for n, s in enumerate(sku_ids)
    ]
    fields = {"product_id": product_id, "name": "p", "state": "listed", "category_id": category_id}
    if updated:
        data = ProductUpdated(**fields, skus=skus, updated_at=at)
    else:
        data = ProductCreated(**fields, skus=skus, created_at=at)
    return envelope(data, at, source="/flywheel/catalog")


def coupon_claimed(coupon_id: UUID, campaign_id: UUID, at: datetime) -> CloudEvent:
    data = CouponClaimed(
        coupon_id=coupon_id,
        template_id=new_id(),
        campaign_id=campaign_id,
        holder_id=new_id(),
        valid_until=at + timedelta(days=30),
        claimed_at=at,
    )
    return envelope(data, at, source="/flywheel/campaigns")


def segment(user_id: UUID, segment_id: UUID, at: datetime, *, left: bool = False) -> CloudEvent:
    """The user entered (or left) the segment at `at`."""
    if left:
        data = SegmentLeft(segment_id=segment_id, user_id=user_id, left_at=at)
    else:
        data = SegmentEntered(segment_id=segment_id, user_id=user_id, entered_at=at)
    return envelope(data, at, source="/flywheel/users")
