"""Order events as the orders service would publish them, and a customer holding a coupon,
for the campaigns saga tests."""

from uuid import UUID

from chassis.clock import now
from chassis.ids import new_id
from chassis.money import Money
from contracts.orders import (
    Attribution,
    CancelReason,
    OrderCancelled,
    OrderLine,
    OrderPaid,
    OrderPlaced,
    RefundCompleted,
    RefundedLine,
)
from services.campaigns.coupons import service
from services.campaigns.coupons.schemas import TemplateRequest


def cny(amount: int) -> Money:
    return Money(amount=amount, currency="CNY")


def line(sku_id: UUID | None = None, price: int = 320_00, quantity: int = 1) -> OrderLine:
    return OrderLine(
        sku_id=sku_id or new_id(),
        quantity=quantity,
        list_price=cny(price),
        unit_price=cny(price),
        paid=cny(price * quantity),
    )


def placed(customer_id: UUID, coupon_ids: list[UUID], *lines: OrderLine) -> OrderPlaced:
    lines = lines or (line(),)
    return OrderPlaced(
        order_id=new_id(),
        customer_id=customer_id,
        lines=list(lines),
        total=cny(sum(x.paid.amount for x in lines)),
        attribution=Attribution(coupon_ids=coupon_ids),
        placed_at=now(),
    )


def paid(order: OrderPlaced) -> OrderPaid:
    return OrderPaid(
        order_id=order.order_id,
        customer_id=order.customer_id,
        lines=order.lines,
        total=order.total,
        attribution=order.attribution,
        paid_at=now(),
    )


def cancelled(order: OrderPlaced, reason: CancelReason = CancelReason.CUSTOMER) -> OrderCancelled:
    return OrderCancelled(
        order_id=order.order_id,
        customer_id=order.customer_id,
        reason=reason,
        lines=order.lines,
        attribution=order.attribution,
        cancelled_at=now(),
    )


def refunded(order: OrderPlaced, coupon_ids: list[UUID] | None = None) -> RefundCompleted:
    """The order refunded in full; orders names the coupons it gives back (all by default)."""
    return RefundCompleted(
        refund_id=new_id(),
        order_id=order.order_id,
        customer_id=order.customer_id,
        lines=[
            RefundedLine(sku_id=x.sku_id, quantity=x.quantity, amount=x.paid, line_no=n)
            for n, x in enumerate(order.lines)
        ],
        amount=order.total,
        restock=True,
        coupon_ids_restored=order.attribution.coupon_ids if coupon_ids is None else coupon_ids,
        completed_at=now(),
    )


async def claimed_coupon(db, holder, campaign_id=None, **terms):
    body = TemplateRequest(
        **(
            {
                "name": "¥40 off ¥300",
                "kind": "threshold",
                "currency": "CNY",
                "amount_off": 40_00,
                "threshold": 300_00,
                "valid_days": 7,
                "total_quantity": 100,
                "campaign_id": campaign_id,
            }
            | terms
        )
    )
    async with db.session() as session:
        template = await service.create_template(session, body, new_id())
    async with db.session() as session:
        coupon = await service.claim(session, template.id, holder)
        await session.commit()
        return coupon


async def apply_step(db, step, event):
    """Run a saga step (or any handler) as a consumer does: in a transaction of its own."""
    async with db.session() as session, session.begin():
        return await step(session, event)


async def holding(platform, operator_token) -> tuple[UUID, str, UUID]:
    """A customer holding one ¥40-off-¥300 coupon: (customer id, token, coupon id)."""
    async with platform.client("campaigns", operator_token) as staff:
        template = await staff.post(
            "/api/v1/campaigns/coupons",
            json={
                "name": "¥40 off ¥300",
                "kind": "threshold",
                "currency": "CNY",
                "amount_off": 40_00,
                "threshold": 300_00,
                "valid_days": 7,
                "total_quantity": 10,
            },
        )
    customer_id, token = await platform.customer()
    async with platform.client("campaigns", token) as customer:
        claimed = await customer.post(f"/api/v1/campaigns/coupons/{template.json()['id']}/claims")
    return UUID(customer_id), token, UUID(claimed.json()["id"])
