"""Coupon operations: templates, claims within the total and the per-user limit, quotes.

The total is taken by one guarded UPDATE (`claimed < total_quantity`), the per-user limit
is the unique (template, holder, claim number): a count read before the insert only picks
the number to try, the constraint decides. So 50 claims racing for the last coupon give one
coupon, and a customer's racing claims never pass their limit."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.events import outbox
from chassis.http.problems import Conflict
from chassis.pagination import PageRequest, fetch_page
from contracts.campaigns import CouponClaimed
from services.campaigns import templates
from services.campaigns.budgets import service as budgets
from services.campaigns.calendar.lifecycle import OVER
from services.campaigns.calendar.models import Campaign
from services.campaigns.coupons import pricing, validity
from services.campaigns.coupons.models import Coupon, CouponTemplate, GrantRule
from services.campaigns.coupons.pricing import CouponStatus, Reason
from services.campaigns.coupons.schemas import QuoteRequest, TemplateRequest
from services.campaigns.flash.models import FlashReservation, ReservationStatus
from services.campaigns.prices import campaign_prices


async def create_template(session: AsyncSession, body: TemplateRequest, by: UUID) -> CouponTemplate:
    fields = body.model_dump(exclude={"sku_ids", "category_ids", "brand_ids", "excluded_sku_ids"})
    template = CouponTemplate(
        **fields,
        **{name: [str(i) for i in getattr(body, name)] for name in _SCOPE},
        created_by=by,
    )
    if body.grant_on is not None:  # the shorthand for a rule without conditions
        session.add(
            GrantRule(template=template, name=body.name, trigger=body.grant_on, created_by=by)
        )
    return await templates.save(session, template, body.campaign_id)


async def get_template(session: AsyncSession, template_id: UUID) -> CouponTemplate:
    return await templates.find(session, CouponTemplate, template_id, "coupon")


async def claim(session: AsyncSession, template_id: UUID, holder_id: UUID) -> Coupon:
    """One more coupon of the template for `holder_id`, or a 409 saying why not. Staged in
    `session`; the caller commits (with its Idempotency-Key's record)."""
    template = await get_template(session, template_id)
    if (why := await _not_claimable(session, template)) is not None:
        raise Conflict(why)
    for _ in range(template.per_user_limit):
        held = await _held(session, template_id, holder_id)
        if held >= template.per_user_limit:
            break
        savepoint = await session.begin_nested()
        try:
            coupon = await _issue(session, template, holder_id, held + 1)
        except IntegrityError:
            await savepoint.rollback()  # a racing claim of the same holder took that number
            continue
        if coupon is None:
            await savepoint.rollback()
            raise Conflict(f"Every coupon of template {template_id} has been claimed.")
        await savepoint.commit()
        return coupon
    raise Conflict(
        f"Customers hold at most {template.per_user_limit} coupon(s) of template {template_id}."
    )


async def give(
    session: AsyncSession, template: CouponTemplate, holder_id: UUID, number: int
) -> Coupon | None:
    """One coupon of the template to `holder_id` as their `number`th, in a savepoint of the
    caller's transaction; None when the total is gone or a racing claim holds the number."""
    savepoint = await session.begin_nested()
    try:
        coupon = await _issue(session, template, holder_id, number)
    except IntegrityError:
        coupon = None  # a racing grant or claim holds the number
    if coupon is None:
        await savepoint.rollback()
        return None
    await savepoint.commit()
    return coupon


async def give_next(
    session: AsyncSession, template: CouponTemplate, holder_id: UUID
) -> Coupon | None:
    """The holder's next coupon of the template, in a savepoint of the caller's transaction;
    None at their per-user limit, with the total gone, or when a racing claim took the
    number."""
    held = await _held(session, template.id, holder_id)
    if held >= template.per_user_limit:
        return None
    return await give(session, template, holder_id, held + 1)


async def not_claimable(session: AsyncSession, template: CouponTemplate) -> str | None:
    """Why no coupon of the template can be given now (campaign over, budget spent, total
    gone), or None."""
    return await _not_claimable(session, template)


async def held(session: AsyncSession, template_id: UUID, holder_id: UUID) -> int:
    return await _held(session, template_id, holder_id)


async def _held(session: AsyncSession, template_id: UUID, holder_id: UUID) -> int:
    return await session.scalar(
        select(func.count()).where(Coupon.template_id == template_id, Coupon.holder_id == holder_id)
    )


async def _issue(
    session: AsyncSession, template: CouponTemplate, holder_id: UUID, number: int
) -> Coupon | None:
    """Take one of the template's total and give it to `holder_id` as their `number`th;
    None when the total is gone. IntegrityError when that number is taken."""
    taken = await session.execute(
        update(CouponTemplate)
        .where(
            CouponTemplate.id == template.id,
            CouponTemplate.claimed < CouponTemplate.total_quantity,
        )
        .values(claimed=CouponTemplate.claimed + 1)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        return None
    at = now()
    valid_from, valid_until = validity.window(
        at, template.valid_from, template.valid_until, template.valid_days
    )
    coupon = Coupon(
        template_id=template.id,
        holder_id=holder_id,
        claim_number=number,
        valid_from=valid_from,
        valid_until=valid_until,
        claimed_at=at,
    )
    session.add(coupon)
    await session.flush()
    coupon.template = template
    await outbox.add(
        session,
        CouponClaimed(
            coupon_id=coupon.id,
            template_id=template.id,
            campaign_id=template.campaign_id,
            holder_id=holder_id,
            valid_until=valid_until,
            claimed_at=at,
        ),
    )
    return coupon


async def _not_claimable(session: AsyncSession, template: CouponTemplate) -> str | None:
    if template.valid_until is not None and now() >= template.valid_until:
        return f"Coupons of template {template.id} expired."
    if template.campaign_id is not None:
        campaign = await session.get(Campaign, template.campaign_id)
        if campaign.state in OVER:
            return f"The campaign of template {template.id} is {campaign.state}."
        if await budgets.exhausted(session, campaign.id):
            return f"The budget of campaign {campaign.id} is spent."
    if template.remaining <= 0:
        return f"Every coupon of template {template.id} has been claimed."
    return None


async def my_coupons(
    session: AsyncSession, holder_id: UUID, status: CouponStatus | None, page: PageRequest
) -> tuple[list[Coupon], str | None]:
    statement = select(Coupon).where(Coupon.holder_id == holder_id)
    if status is not None:
        statement = statement.where(Coupon.status == status)
    return await fetch_page(session, statement, key=[Coupon.id], page=page)


async def quote(
    session: AsyncSession, holder_id: UUID, body: QuoteRequest, at: datetime
) -> tuple[campaign_prices.Priced, pricing.Quote]:
    """The cart at the campaign prices running for the customer, then the best of their
    coupons (or the chosen ones) on it."""
    cart = pricing.Cart(
        currency=body.lines[0].unit_price.currency,
        lines=tuple(
            pricing.Line(
                sku_id=line.sku_id,
                unit_price=line.unit_price.amount,
                quantity=line.quantity,
                category_id=line.category_id,
                brand_id=line.brand_id,
            )
            for line in body.lines
        ),
        shipping_fee=body.shipping_fee.amount if body.shipping_fee else 0,
    )
    priced = await campaign_prices.price(
        session, cart, holder_id, at, await _flash_lines(session, holder_id, cart, at)
    )
    statement = select(Coupon).where(Coupon.holder_id == holder_id)
    if body.coupon_ids is None:
        statement = statement.where(
            Coupon.status == CouponStatus.CLAIMED, Coupon.valid_until > at
        ).limit(200)
    else:
        statement = statement.where(Coupon.id.in_(body.coupon_ids))
    held = {coupon.id: coupon.held() for coupon in await session.scalars(statement)}
    result = pricing.best(priced.cart, list(held.values()), at)
    for coupon_id in body.coupon_ids or ():
        if coupon_id not in held:  # another customer's coupon is as unknown as none
            result.refused[coupon_id] = Reason.NOT_FOUND
    return priced, result


async def _flash_lines(
    session: AsyncSession, holder_id: UUID, cart: pricing.Cart, at: datetime
) -> frozenset[UUID]:
    """SKUs of the cart's flash lines: a line at the flash price of a reservation the
    customer holds for its SKU (reserved, not expired). The quote names no reservation, and
    a line can come at a flash price only through one; it keeps that price."""
    lines = {(line.sku_id, line.unit_price) for line in cart.lines}
    held = await session.execute(
        select(FlashReservation.sku_id, FlashReservation.flash_price_amount).where(
            FlashReservation.customer_id == holder_id,
            FlashReservation.sku_id.in_({sku_id for sku_id, _ in lines}),
            FlashReservation.status == ReservationStatus.RESERVED,
            FlashReservation.expires_at > at,
            FlashReservation.currency == cart.currency,
        )
    )
    return frozenset(sku_id for sku_id, price in held if (sku_id, price) in lines)


_SCOPE = ("sku_ids", "category_ids", "brand_ids", "excluded_sku_ids")
