"""Order events as the orders service would publish them (orders using coupons), and a
customer holding a coupon, for the campaigns saga tests."""

from uuid import UUID

import order_events
from order_events import cancelled, cny, line, paid, refunded

from chassis.ids import new_id
from contracts.orders import Attribution, OrderLine, OrderPlaced
from services.campaigns.coupons import service
from services.campaigns.coupons.schemas import TemplateRequest

__all__ = [
    "apply_step",
    "cancelled",
    "claimed_coupon",
    "cny",
    "holding",
    "line",
    "paid",
    "placed",
    "refunded",
]

# The coupon the saga tests' customers hold: ¥40 off an order of ¥300 or more, for a week.
FORTY_OFF_300 = {
    "name": "¥40 off ¥300",
    "kind": "threshold",
    "currency": "CNY",
    "amount_off": 40_00,
    "threshold": 300_00,
    "valid_days": 7,
}


def placed(customer_id: UUID, coupon_ids: list[UUID], *lines: OrderLine) -> OrderPlaced:
    """An order of `lines` (one ¥320 line by default) using the coupons `coupon_ids`."""
    return order_events.placed(
        customer_id, *(lines or (line(),)), attribution=Attribution(coupon_ids=coupon_ids)
    )


async def claimed_coupon(db, holder, campaign_id=None, **terms):
    body = TemplateRequest(
        **(FORTY_OFF_300 | {"total_quantity": 100, "campaign_id": campaign_id} | terms)
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
            json=FORTY_OFF_300 | {"total_quantity": 10},
        )
    customer_id, token = await platform.customer()
    async with platform.client("campaigns", token) as customer:
        claimed = await customer.post(f"/api/v1/campaigns/coupons/{template.json()['id']}/claims")
    return UUID(customer_id), token, UUID(claimed.json()["id"])
