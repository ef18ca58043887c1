"""Envelopes for analytics tests: behaviour and orders as the other services publish them."""

from datetime import datetime
from uuid import UUID

from chassis.events import CloudEvent, EventData, registry
from chassis.ids import new_id
from chassis.money import Money
from contracts.analytics import Action, BehaviourRecorded
from contracts.orders import OrderLine, OrderPaid, RefundCompleted, RefundedLine


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
    action: Action, at: datetime, *, anonymous_id: str | None = None, user_id: UUID | None = None
) -> CloudEvent:
    data = BehaviourRecorded(
        behaviour_id=new_id(),
        actor=str(user_id) if user_id else anonymous_id,
        user_id=user_id,
        anonymous_id=anonymous_id,
        action=action,
        occurred_at=at,
    )
    return envelope(data, at, source="/flywheel/analytics")


def paid(customer_id: UUID, at: datetime, *amounts: int, currency: str = "CNY") -> CloudEvent:
    lines = [
        OrderLine(
            sku_id=new_id(),
            quantity=1,
            list_price=Money(amount=amount, currency=currency),
            unit_price=Money(amount=amount, currency=currency),
            paid=Money(amount=amount, currency=currency),
        )
        for amount in amounts
    ]
    total = Money(amount=sum(amounts) + 1000, currency=currency)  # shipping is not GMV
    data = OrderPaid(
        order_id=new_id(), customer_id=customer_id, lines=lines, total=total, paid_at=at
    )
    return envelope(data, at, source="/flywheel/orders")


def refunded(customer_id: UUID, at: datetime, amount: int, currency: str = "CNY") -> CloudEvent:
    money = Money(amount=amount, currency=currency)
    data = RefundCompleted(
        refund_id=new_id(),
        order_id=new_id(),
        customer_id=customer_id,
        lines=[RefundedLine(sku_id=new_id(), quantity=1, amount=money)],
        amount=money,
        restock=True,
        completed_at=at,
    )
    return envelope(data, at, source="/flywheel/orders")
