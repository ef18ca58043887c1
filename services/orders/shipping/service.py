"""Freight templates' operations, and the shipping of an order priced by the active one."""

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.http.problems import InvalidInput, NotFound
from chassis.money import Money
from services.orders.shipping import rules
from services.orders.shipping.models import FreightTemplate
from services.orders.shipping.schemas import FreightRequest, ShippingAddress


async def create(session: AsyncSession, body: FreightRequest, by: UUID) -> FreightTemplate:
    template = FreightTemplate(
        name=body.name,
        currency=body.currency,
        terms=body.model_dump(mode="json", exclude={"name"}),
        created_by=by,
    )
    session.add(template)
    await session.flush()
    return template


async def activate(session: AsyncSession, template_id: UUID) -> FreightTemplate:
    template = await session.get(FreightTemplate, template_id)
    if template is None:
        raise NotFound(f"No freight template {template_id}.")
    template.activated_at = now()
    return template


async def active(session: AsyncSession) -> FreightTemplate | None:
    return await session.scalar(
        select(FreightTemplate)
        .where(FreightTemplate.activated_at.is_not(None))
        .order_by(FreightTemplate.activated_at.desc())
        .limit(1)
    )


async def for_order(
    session: AsyncSession, address: ShippingAddress | None, items: int, goods: Money
) -> tuple[Money, str] | None:
    """The order's shipping fee and the rule that set it, by the active template (None when
    there is none: nothing is charged for shipping)."""
    template = await active(session)
    if template is None:
        return None
    if address is None:
        raise InvalidInput("body.shipping_address", "a shipping address is required")
    if template.currency != goods.currency:
        raise InvalidInput("body.lines", f"shipping is charged in {template.currency}")
    shipping = rules.shipping(template.freight(), address.region, items, goods.amount)
    return Money(amount=shipping.fee, currency=template.currency), shipping.rule
