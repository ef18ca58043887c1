"""The campaigns side of the order saga: lock an order's coupons and flash reservation when
it is placed (all or none), redeem them when it is paid, release them when it is cancelled,
each exactly once.

Each step is one UPDATE that names the state it leaves (`claimed` → `locked` → `redeemed`,
or `locked` → `claimed`), so a coupon in two racing orders is locked by one, and a cancel
delivered twice (or a timeout racing a customer's cancel) releases once. Budget charges go
with the lock, keyed by coupon and order (and by campaign and order for the gap a campaign's
prices made), and are given back by the release."""

from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.events import outbox
from chassis.money import Money
from contracts.campaigns import (
    CouponsLocked,
    CouponsRedeemed,
    CouponsRefused,
    CouponsReleased,
    CouponsRestored,
)
from contracts.orders import OrderCancelled, OrderPaid, OrderPlaced, RefundCompleted
from services.campaigns.budgets import service as budgets
from services.campaigns.checkout.refusal import Refusal
from services.campaigns.coupons import pricing
from services.campaigns.coupons.models import Coupon, CouponTemplate
from services.campaigns.coupons.pricing import CouponStatus
from services.campaigns.flash import service as flash
from services.campaigns.flash.models import FlashReservation
from services.campaigns.prices import campaign_prices, offers


def budget_key(coupon_id: UUID, order_id: UUID) -> str:
    return f"coupon:{coupon_id}:order:{order_id}"


async def lock(session: AsyncSession, order: OrderPlaced) -> bool:
    """Lock the order's coupons and flash reservation for it, or nothing; publishes
    `coupons.locked` or `coupons.refused`. Returns whether they were locked."""
    ids = sorted(set(order.attribution.coupon_ids))
    coupons = list(
        await session.scalars(
            select(Coupon).where(Coupon.id.in_(ids), Coupon.holder_id == order.customer_id)
        )
    )
    if len(coupons) != len(ids):
        missing = sorted(set(ids) - {c.id for c in coupons})
        return await _refuse(session, order, f"coupon {missing[0]}: {pricing.Reason.NOT_FOUND}")
    # The coupons on the lines at the campaign prices running for the customer, as the
    # quote priced them (a line already at or below its campaign price keeps its own, and
    # the flash line its flash price; a campaign whose budget is exhausted prices nothing).
    flash_line = await _flash_line(session, order)
    priced = await campaign_prices.price(
        session, _cart_of(order), order.customer_id, order.placed_at, flash_line
    )
    quote, why = pricing.exactly(priced.cart, [c.held() for c in coupons], order.placed_at)
    if quote is None:
        return await _refuse(session, order, why)
    savepoint = await session.begin_nested()
    refused = await _lock_coupons(session, order, coupons, quote)
    if refused is None and order.attribution.flash_reservation_id is not None:
        refused = await flash.hold_for_order(session, order)
    if refused is None:
        refused = await charge_prices(session, order, flash_line)
    if refused is not None:
        await savepoint.rollback()
        if refused.exhausted_campaign is not None:
            await budgets.exhaust(session, refused.exhausted_campaign)
        return await _refuse(session, order, refused.reason)
    await savepoint.commit()
    await outbox.add(
        session,
        CouponsLocked(
            order_id=order.order_id,
            customer_id=order.customer_id,
            coupon_ids=ids,
            flash_reservation_id=order.attribution.flash_reservation_id,
        ),
    )
    return True


async def _lock_coupons(
    session: AsyncSession, order: OrderPlaced, coupons: list[Coupon], quote: pricing.Quote
) -> Refusal | None:
    if not coupons:
        return None
    locked = await session.execute(
        update(Coupon)
        .where(
            Coupon.id.in_([c.id for c in coupons]),
            Coupon.holder_id == order.customer_id,
            Coupon.status == CouponStatus.CLAIMED,
        )
        .values(status=CouponStatus.LOCKED, order_id=order.order_id, locked_at=now())
        .execution_options(synchronize_session=False)
    )
    if locked.rowcount != len(coupons):
        return Refusal("a coupon is in use by another order or used")
    campaigns = {coupon.id: coupon.template.campaign_id for coupon in coupons}
    for applied in quote.applied:
        await session.execute(
            update(Coupon)
            .where(Coupon.id == applied.coupon_id)
            .values(discount=applied.discount)
            .execution_options(synchronize_session=False)
        )
        campaign_id = campaigns[applied.coupon_id]
        key = budget_key(applied.coupon_id, order.order_id)
        if campaign_id is not None and not await budgets.charge(
            session, campaign_id, key, applied.discount
        ):
            return Refusal(f"the budget of campaign {campaign_id} is spent", campaign_id)
    return None


def price_key(campaign_id: UUID, order_id: UUID) -> str:
    return f"campaign_price:{campaign_id}:order:{order_id}"


async def charge_prices(
    session: AsyncSession, order: OrderPlaced, flash_line: frozenset[UUID] = frozenset()
) -> Refusal | None:
    """Charge each campaign whose prices the order took the gap they made (list price minus
    campaign price, times the quantity: `offers.gaps`), once per campaign and order
    (`price_key`); None, or the campaign whose budget it did not fit. A line charged at the
    price of a campaign whose budget ran out since the quote is charged to it all the same
    (`offers.taken`): the order sold at that price."""
    if not order.attribution.campaign_ids:
        return None
    listed = _cart_of(order, at_list_prices=True)
    priced = await campaign_prices.price(
        session, listed, order.customer_id, order.placed_at, flash_line
    )
    charged = tuple(line.unit_price.amount for line in order.lines)
    chosen = offers.taken(listed, priced.running, charged, flash_line, priced.exhausted)
    gaps = offers.gaps(listed, chosen, charged, order.attribution.campaign_ids)
    for campaign_id, gap in sorted(gaps.items()):
        key = price_key(campaign_id, order.order_id)
        if not await budgets.charge(session, campaign_id, key, gap):
            return Refusal(f"the budget of campaign {campaign_id} is spent", campaign_id)
    return None


async def charge_prices_unanswered(session: AsyncSession, order: OrderPlaced) -> None:
    """An order with campaign prices and neither coupons nor a flash reservation: orders
    does not wait for campaigns on it, so a gap that does not fit refuses nothing; it is
    not charged and the campaign's budget is marked exhausted."""
    savepoint = await session.begin_nested()
    refused = await charge_prices(session, order)
    if refused is None:
        await savepoint.commit()
        return
    await savepoint.rollback()
    await budgets.exhaust(session, refused.exhausted_campaign)


async def redeem(session: AsyncSession, order: OrderPaid) -> None:
    """The paid order's locked coupons are spent for good; `coupons.redeemed` once. Its
    flash reservation is sold."""
    await flash.purchase(session, order.order_id)
    redeemed = (
        await session.execute(
            update(Coupon)
            .where(Coupon.order_id == order.order_id, Coupon.status == CouponStatus.LOCKED)
            .values(status=CouponStatus.REDEEMED, redeemed_at=now())
            .returning(Coupon.id, Coupon.discount)
        )
    ).all()
    if not redeemed:
        return  # no coupons, or redeemed already
    await outbox.add(
        session,
        CouponsRedeemed(
            order_id=order.order_id,
            customer_id=order.customer_id,
            coupon_ids=sorted(row.id for row in redeemed),
            discount=Money(
                amount=sum(row.discount or 0 for row in redeemed), currency=order.total.currency
            ),
        ),
    )


async def release(session: AsyncSession, order: OrderCancelled) -> None:
    """The cancelled order's locked coupons go back to their holder and their budget
    charges back to the campaigns; `coupons.released` once. Its flash reservation is
    released (its stock goes back)."""
    await flash.release_for_order(session, order.order_id)
    for campaign_id in order.attribution.campaign_ids:
        await budgets.release(session, price_key(campaign_id, order.order_id))
    released = (
        (
            await session.execute(
                update(Coupon)
                .where(Coupon.order_id == order.order_id, Coupon.status == CouponStatus.LOCKED)
                .values(status=CouponStatus.CLAIMED, order_id=None, discount=None, locked_at=None)
                .returning(Coupon.id)
            )
        )
        .scalars()
        .all()
    )
    if not released:
        return  # nothing was locked, or it was released already
    for coupon_id in released:
        await budgets.release(session, budget_key(coupon_id, order.order_id))
    await outbox.add(
        session,
        CouponsReleased(
            order_id=order.order_id, customer_id=order.customer_id, coupon_ids=sorted(released)
        ),
    )


async def _refuse(session: AsyncSession, order: OrderPlaced, reason: str) -> bool:
    await outbox.add(
        session,
        CouponsRefused(
            order_id=order.order_id,
            customer_id=order.customer_id,
            coupon_ids=sorted(set(order.attribution.coupon_ids)),
            reason=reason,
        ),
    )
    return False


async def _flash_line(session: AsyncSession, order: OrderPlaced) -> frozenset[UUID]:
    """The SKU of the order's flash line (none without a flash reservation): it keeps its
    flash price, whatever campaign price runs for it (`offers.best`)."""
    attribution = order.attribution
    if attribution.flash_reservation_id is None:
        return frozenset()
    if attribution.flash_sku_id is not None:
        return frozenset({attribution.flash_sku_id})
    reservation = await session.get(FlashReservation, attribution.flash_reservation_id)
    return frozenset() if reservation is None else frozenset({reservation.sku_id})


def _cart_of(order: OrderPlaced, at_list_prices: bool = False) -> pricing.Cart:
    return pricing.Cart(
        currency=order.total.currency,
        lines=tuple(
            pricing.Line(
                sku_id=line.sku_id,
                unit_price=(line.list_price if at_list_prices else line.unit_price).amount,
                quantity=line.quantity,
            )
            for line in order.lines
        ),
        shipping_fee=order.shipping_fee.amount if order.shipping_fee else 0,
    )


async def restore(session: AsyncSession, refund: RefundCompleted) -> None:
    """The refunded order's coupons that orders names and whose templates say so go back to
    their holder, claimed again, and their budget charges back to the campaigns;
    `coupons.restored` once. The UPDATE names the state and the order it leaves
    (redeemed, for this order), so a redelivered refund, or an old one arriving after the
    coupon was spent on another order, restores nothing."""
    if not refund.coupon_ids_restored:
        return
    restorable = select(CouponTemplate.id).where(CouponTemplate.restore_on_refund.is_(True))
    restored = (
        (
            await session.execute(
                update(Coupon)
                .where(
                    Coupon.id.in_(refund.coupon_ids_restored),
                    Coupon.order_id == refund.order_id,
                    Coupon.holder_id == refund.customer_id,
                    Coupon.status == CouponStatus.REDEEMED,
                    Coupon.template_id.in_(restorable),
                )
                .values(
                    status=CouponStatus.CLAIMED,
                    order_id=None,
                    discount=None,
                    locked_at=None,
                    redeemed_at=None,
                )
                .returning(Coupon.id)
                .execution_options(synchronize_session=False)
            )
        )
        .scalars()
        .all()
    )
    if not restored:
        return
    for coupon_id in restored:
        await budgets.release(session, budget_key(coupon_id, refund.order_id))
    await outbox.add(
        session,
        CouponsRestored(
            order_id=refund.order_id,
            refund_id=refund.refund_id,
            customer_id=refund.customer_id,
            coupon_ids=sorted(restored),
        ),
    )
