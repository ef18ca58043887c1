"""Envelopes for analytics tests: behaviour and orders as the other services publish them."""

from datetime import datetime, timedelta
from uuid import UUID

from chassis.events import CloudEvent, EventData, registry
from chassis.ids import new_id
from chassis.money import Money
from contracts.analytics import Action, BehaviourRecorded, BotSignal
from contracts.campaigns import (
    BudgetSpendChanged,
    CampaignCancelled,
    CampaignEnded,
    CampaignScheduled,
    CampaignStarted,
    CouponClaimed,
)
from contracts.catalog import ProductCreated, ProductUpdated, SkuPrice
from contracts.orders import Attribution, OrderLine, OrderPaid, RefundCompleted, RefundedLine
from contracts.users import (
    LifecycleChanged,
    LifecycleReason,
    LifecycleStage,
    RfmReason,
    RfmScoresChanged,
    SegmentEntered,
    SegmentLeft,
    UserRegistered,
)


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


def scheduled(
    campaign_id: UUID,
    name: str,
    starts_at: datetime,
    ends_at: datetime,
    at: datetime,
    budget: Money | None = None,
) -> CloudEvent:
    """The campaign was put on the calendar at `at` for [starts_at, ends_at)."""
    data = CampaignScheduled(
        campaign_id=campaign_id,
        name=name,
        kind="holiday_sale",
        starts_at=starts_at,
        ends_at=ends_at,
        budget=budget,
        scheduled_by=new_id(),
    )
    return envelope(data, at, source="/flywheel/campaigns")


def campaign_moved(campaign_id: UUID, to: str, at: datetime) -> CloudEvent:
    """The campaign `started`, `ended` or was `cancelled` at `at`."""
    data = {
        "started": lambda: CampaignStarted(campaign_id=campaign_id, started_at=at),
        "ended": lambda: CampaignEnded(campaign_id=campaign_id, ended_at=at),
        "cancelled": lambda: CampaignCancelled(
            campaign_id=campaign_id, reason="called off", cancelled_by=new_id(), cancelled_at=at
        ),
    }[to]()
    return envelope(data, at, source="/flywheel/campaigns")


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


def registered(user_id: UUID, at: datetime) -> CloudEvent:
    data = UserRegistered(
        user_id=user_id, email=f"u-{user_id.hex[-8:]}@example.com", registered_at=at
    )
    return envelope(data, at, source="/flywheel/users")


def moved(
    user_id: UUID,
    from_stage: LifecycleStage,
    to_stage: LifecycleStage,
    at: datetime,
    reason: LifecycleReason = LifecycleReason.FIRST_ORDER,
) -> CloudEvent:
    """The user's lifecycle stage moved at `at`, as users publishes it."""
    data = LifecycleChanged(
        user_id=user_id,
        from_stage=from_stage,
        to_stage=to_stage,
        reason=reason,
        rule_version=1,
        changed_at=at,
    )
    return envelope(data, at, source="/flywheel/users")


def rescored(
    user_id: UUID,
    from_code: str | None,
    to_code: str | None,
    at: datetime,
    reason: RfmReason = RfmReason.PAID,
) -> CloudEvent:
    """The user's RFM scores changed at `at`, as users publishes it."""
    data = RfmScoresChanged(
        user_id=user_id, from_code=from_code, to_code=to_code, reason=reason, changed_at=at
    )
    return envelope(data, at, source="/flywheel/users")


def spend_changed(
    campaign_id: UUID, spent: int, at: datetime, budget: int = 100_000, currency: str = "CNY"
) -> CloudEvent:
    """The campaign's running spend became `spent` at `at`, as campaigns publishes it."""
    data = BudgetSpendChanged(
        campaign_id=campaign_id,
        spent=Money(amount=spent, currency=currency),
        budget=Money(amount=budget, currency=currency),
        changed_at=at,
    )
    return envelope(data, at, source="/flywheel/campaigns")
