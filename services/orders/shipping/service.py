"""Freight templates' operations, and the shipping of an order priced by the active one."""

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.http.problems import InvalidInput, NotFound
from chassis.money import Money
from contracts.users import Tier
from services.orders.members import service as members
from services.orders.shipping import rules
from services.orders.shipping.models import FreightTemplate
from services.orders.shipping.schemas import FreightRequest, ShippingAddress


async def create(session: AsyncSession, body: FreightRequest, by: UUID) -> FreightTemplate:
    if (misfit := body.misfit()) is not None:
        raise InvalidInput(*misfit)
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
    session: AsyncSession,
    customer_id: UUID,
    address: ShippingAddress | None,
    lines: Sequence[tuple[int | None, int]],
    goods: Money,
) -> tuple[Money, str] | None:
    """The order's shipping fee and the rule that set it, by the active template (None when
    there is none: nothing is charged for shipping). `lines`: each line's grams per unit (as
    the catalog published them; None when it did not) and quantity; the customer's tier is
    the one users last told."""
    template = await active(session)
    if template is None:
        return None
    if address is None:
        raise InvalidInput("body.shipping_address", "a shipping address is required")
    if template.currency != goods.currency:
        raise InvalidInput("body.lines", f"shipping is charged in {template.currency}")
    freight = template.freight()
    parcel = rules.parcel(freight, lines)
    tier = await members.tier(session, customer_id) if freight.member_free_over else Tier.REGULAR
    shipping = rules.shipping(freight, address.region, parcel, goods.amount, tier)
    return Money(amount=shipping.fee, currency=template.currency), shipping.rule
