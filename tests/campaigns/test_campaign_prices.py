"""Campaign prices: the best-price rule (pure), which campaigns' prices a customer's cart
takes (running, in the window, targeted at a segment the customer is in, in the cart's
currency; both backends), the operator's refusals, and the order saga pricing coupons on
the lines at their campaign prices as the quote does."""

from datetime import timedelta

import pytest
from saga_events import apply_step, claimed_coupon, line, placed
from sqlalchemy import update

from chassis.clock import now
from chassis.http.problems import Conflict, InvalidInput
from chassis.ids import new_id
from chassis.money import Money
from services.campaigns.calendar import service as calendar
from services.campaigns.calendar.lifecycle import CampaignState
from services.campaigns.calendar.models import Campaign
from services.campaigns.calendar.schemas import CampaignPlan
from services.campaigns.checkout import saga
from services.campaigns.coupons import pricing
from services.campaigns.coupons.models import Coupon
from services.campaigns.prices import campaign_prices, offers
from services.campaigns.prices.models import SkuPrice
from services.campaigns.prices.offers import Offer
from services.campaigns.prices.schemas import CampaignPricesRequest
from services.campaigns.segments.models import SegmentMember

TEA, CUP = new_id(), new_id()
A, B = sorted([new_id(), new_id()])


def _cart(*lines: pricing.Line) -> pricing.Cart:
    return pricing.Cart(currency="CNY", lines=lines)


def test_a_line_takes_the_lowest_campaign_price_below_its_own():
    cart = _cart(pricing.Line(TEA, 100_00, 2), pricing.Line(CUP, 50_00, 1))
    chosen = offers.best(cart, [Offer(A, TEA, 90_00), Offer(B, TEA, 80_00), Offer(A, CUP, 60_00)])
    assert chosen == (Offer(B, TEA, 80_00), None)  # the cup's campaign price is above its own
    priced = offers.at_offers(cart, chosen)
    assert [(ln.sku_id, ln.unit_price, ln.quantity) for ln in priced.lines] == [
        (TEA, 80_00, 2),
        (CUP, 50_00, 1),
    ]


def test_campaign_prices_never_add_up_and_a_tie_goes_to_the_lower_campaign_id():
    cart = _cart(pricing.Line(TEA, 100_00, 1))
    assert offers.best(cart, [Offer(B, TEA, 70_00), Offer(A, TEA, 70_00)]) == (
        Offer(A, TEA, 70_00),
    )
    assert offers.best(cart, [Offer(A, TEA, 100_00)]) == (None,)  # not below: nothing taken


def test_a_campaign_whose_budget_is_exhausted_prices_nothing():
    cart = _cart(pricing.Line(TEA, 100_00, 1), pricing.Line(CUP, 50_00, 1))
    running = [Offer(A, TEA, 70_00), Offer(B, TEA, 80_00), Offer(A, CUP, 40_00)]
    assert offers.best(cart, running, exhausted=frozenset({A})) == (Offer(B, TEA, 80_00), None)
    assert offers.best(cart, running, exhausted=frozenset({A, B})) == (None, None)


def test_an_order_is_charged_to_the_campaign_whose_price_it_took():
    """Now B's price (A exhausted), or A's for an order quoted before A's budget ran out;
    a line at neither price took nothing."""
    listed = _cart(pricing.Line(TEA, 100_00, 1), pricing.Line(CUP, 50_00, 1))
    running = [Offer(A, TEA, 70_00), Offer(B, TEA, 80_00)]
    exhausted = frozenset({A})
    assert offers.taken(listed, running, (80_00, 50_00), exhausted=exhausted) == (
        Offer(B, TEA, 80_00),
        None,
    )
    assert offers.taken(listed, running, (70_00, 50_00), exhausted=exhausted) == (
        Offer(A, TEA, 70_00),
        None,
    )
    elsewhere = (75_00, 50_00)  # a deal's price, say
    chosen = offers.taken(listed, running, elsewhere, exhausted=exhausted)
    assert offers.gaps(listed, chosen, elsewhere, [A, B]) == {}


def test_a_coupons_threshold_counts_the_campaign_price():
    cart = _cart(pricing.Line(TEA, 320_00, 1))
    coupon = pricing.HeldCoupon(
        new_id(),
        pricing.Terms(
            kind=pricing.CouponKind.THRESHOLD, currency="CNY", amount_off=40_00, threshold=300_00
        ),
        pricing.CouponStatus.CLAIMED,
        now() - timedelta(days=1),
        now() + timedelta(days=1),
    )
    sale = offers.at_offers(cart, offers.best(cart, [Offer(A, TEA, 280_00)]))
    assert pricing.best(cart, [coupon], now()).discount == 40_00
    assert pricing.best(sale, [coupon], now()).refused == {coupon.id: "below_threshold"}


async def _campaign(db, state=CampaignState.RUNNING, segments=(), kind="holiday_sale", **window):
    plan = CampaignPlan(
        name="双十二",
        kind=kind,
        starts_at=window.get("starts_at", now() - timedelta(hours=1)),
        ends_at=window.get("ends_at", now() + timedelta(days=1)),
        sku_ids=[TEA, CUP],
        segments=[str(s) for s in segments],
    )
    async with db.session() as session:
        campaign = await calendar.plan(session, plan, new_id())
        await session.execute(
            update(Campaign).where(Campaign.id == campaign.id).values(state=state)
        )
        await session.commit()
    return campaign


async def _set(db, campaign_id, **prices):
    body = CampaignPricesRequest(
        prices=[
            {"sku_id": sku, "price": Money(amount=p, currency="CNY")} for sku, p in prices.values()
        ]
    )
    async with db.session() as session:
        return await campaign_prices.set_for(session, campaign_id, body)


async def _unit_prices(db, customer, cart) -> list[int]:
    async with db.session() as session:
        priced = await campaign_prices.price(session, cart, customer, now())
    return [ln.unit_price for ln in priced.cart.lines]


async def test_a_cart_takes_the_prices_of_the_campaigns_running_for_the_customer(campaigns_db):
    cart = _cart(pricing.Line(TEA, 100_00, 1), pricing.Line(CUP, 50_00, 1))
    running = await _campaign(campaigns_db)
    await _set(campaigns_db, running.id, tea=(TEA, 90_00))
    scheduled = await _campaign(campaigns_db, CampaignState.SCHEDULED)
    await _set(campaigns_db, scheduled.id, tea=(TEA, 10_00), cup=(CUP, 10_00))
    late = await _campaign(  # running, but its window closed before the scheduler noticed
        campaigns_db, starts_at=now() - timedelta(days=2), ends_at=now() - timedelta(seconds=1)
    )
    await _set(campaigns_db, late.id, tea=(TEA, 20_00))
    segment, member = new_id(), new_id()
    targeted = await _campaign(campaigns_db, segments=[segment])
    await _set(campaigns_db, targeted.id, tea=(TEA, 70_00), cup=(CUP, 40_00))
    async with campaigns_db.session() as session:
        session.add(SegmentMember(segment_id=segment, user_id=member, entered_at=now()))
        await session.commit()

    assert await _unit_prices(campaigns_db, new_id(), cart) == [90_00, 50_00]
    assert await _unit_prices(campaigns_db, member, cart) == [70_00, 40_00]
    in_dollars = pricing.Cart(currency="USD", lines=cart.lines)
    assert await _unit_prices(campaigns_db, member, in_dollars) == [100_00, 50_00]


async def test_operators_set_prices_only_where_they_mean_something(campaigns_db):
    campaign = await _campaign(campaigns_db)
    async with campaigns_db.session() as session:
        session.add(SkuPrice(product_id=TEA, price=Money(amount=100_00, currency="CNY")))
        await session.commit()
    with pytest.raises(InvalidInput) as not_promoted:
        await _set(campaigns_db, campaign.id, other=(new_id(), 10_00))
    assert str(not_promoted.value).startswith("body.prices.0.sku_id:")
    with pytest.raises(InvalidInput) as not_below:
        await _set(campaigns_db, campaign.id, cup=(CUP, 10_00), tea=(TEA, 100_00))
    assert str(not_below.value).startswith("body.prices.1.price:")
    flash = await _campaign(campaigns_db, kind="flash_sale")
    with pytest.raises(Conflict):
        await _set(campaigns_db, flash.id, tea=(TEA, 10_00))
    ended = await _campaign(campaigns_db, CampaignState.ENDED)
    with pytest.raises(Conflict):
        await _set(campaigns_db, ended.id, tea=(TEA, 10_00))
    await _set(campaigns_db, campaign.id, tea=(TEA, 80_00), cup=(CUP, 5_00))
    set_again = await _set(campaigns_db, campaign.id, tea=(TEA, 85_00))  # replaces them all
    async with campaigns_db.session() as session:
        shown = await campaign_prices.of(session, campaign.id)
    assert (
        [(p.sku_id, p.price.amount) for p in shown]
        == [(TEA, 85_00)]
        == [(p.sku_id, p.price.amount) for p in set_again]
    )


async def test_the_saga_prices_an_orders_coupons_on_the_campaign_prices(campaigns_db):
    """As the quote did: 10% off the tea at its sale price of ¥200, not its ¥320."""
    campaign = await _campaign(campaigns_db)
    await _set(campaigns_db, campaign.id, tea=(TEA, 200_00))
    holder = new_id()
    coupon = await claimed_coupon(
        campaigns_db, holder, kind="percent", percent_off=10, amount_off=0, threshold=0
    )
    assert await apply_step(campaigns_db, saga.lock, placed(holder, [coupon.id], line(TEA, 320_00)))
    async with campaigns_db.session() as session:
        assert (await session.get(Coupon, coupon.id)).discount == 20_00
