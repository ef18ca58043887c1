"""Campaign prices at checkout, the pure rules: each line at the price campaigns' quote gave
(never above the price it came at, list or deal), the campaigns behind the prices kept once
each, coupons taken off the campaign price; an order campaigns cannot quote goes at the
catalog's price only without coupons and with no SKU under a campaign that could price it;
which campaigns could be pricing now; a cart shown at the quote's prices, trusted as checkout
trusts them."""

from datetime import UTC, datetime, timedelta

import pytest

from chassis.ids import new_id
from chassis.money import Money
from services.orders.campaigns.rules import CLOCK_SKEW, Window, could_price
from services.orders.carts.pricing import at_quoted_prices as at_cart_quote
from services.orders.carts.pricing import price_cart, quotable
from services.orders.checkout.pricing import (
    at_quoted_prices,
    price_order,
    unquoted_refusal,
    with_coupons,
    with_shipping,
)
from services.orders.deals.rules import Deal
from services.orders.prices.offers import Offer

TEA, CUP = new_id(), new_id()
SALE, OTHER = new_id(), new_id()


def _cny(amount: int) -> Money:
    return Money(amount=amount, currency="CNY")


def _offer(sku, amount: int) -> Offer:
    price = _cny(amount)
    return Offer(sku_id=sku, product_id=new_id(), present=True, listing="listed", price=price)


OFFERS = {TEA: _offer(TEA, 1999), CUP: _offer(CUP, 800)}


def test_a_line_takes_the_quoted_campaign_price_and_keeps_its_list_price():
    listed = price_order([(TEA, 2), (CUP, 1)], OFFERS)
    priced = at_quoted_prices(listed, [(_cny(1500), SALE), (_cny(800), None)])
    assert [(x.list_price, x.unit_price, x.paid) for x in priced.lines] == [
        (_cny(1999), _cny(1500), _cny(3000)),
        (_cny(800), _cny(800), _cny(800)),
    ]
    assert priced.total == _cny(3800)
    assert priced.campaign_ids == (SALE,)


def test_the_campaigns_are_kept_once_each_in_the_order_they_price_lines():
    listed = price_order([(TEA, 1), (CUP, 1), (TEA, 1)], OFFERS)
    quoted = [(_cny(1500), OTHER), (_cny(700), SALE), (_cny(1500), OTHER)]
    assert at_quoted_prices(listed, quoted).campaign_ids == (OTHER, SALE)


def test_a_deal_line_comes_at_its_deal_price_and_keeps_it_unless_a_campaign_is_lower():
    deal = Deal(sku_id=TEA, unit_price=_cny(1200))
    listed = price_order([(TEA, 1)], OFFERS, deal)
    kept = at_quoted_prices(listed, [(_cny(1200), None)])
    assert (kept.lines[0].unit_price, kept.campaign_ids) == (_cny(1200), ())
    lower = at_quoted_prices(listed, [(_cny(1000), SALE)])
    assert (lower.lines[0].unit_price, lower.lines[0].list_price) == (_cny(1000), _cny(1999))


def test_coupons_come_off_the_campaign_price_and_the_attribution_stays():
    listed = price_order([(TEA, 2), (CUP, 1)], OFFERS)
    priced = at_quoted_prices(listed, [(_cny(1500), SALE), (_cny(800), None)])
    shipped = with_shipping(priced, _cny(600), "Standard")
    coupon = new_id()
    paid = with_coupons(shipped, [coupon], [395, 105], {})
    assert [x.paid for x in paid.lines] == [_cny(3000 - 395), _cny(800 - 105)]
    assert paid.total == _cny(3800 - 500 + 600)
    assert (shipped.campaign_ids, paid.campaign_ids) == ((SALE,), (SALE,))


@pytest.mark.parametrize(
    ("quoted", "why"),
    [
        ([(_cny(2000), None)], "quoted at"),  # above the price the line came at
        ([(_cny(0), SALE)], "quoted at"),  # at nothing
        ([(Money(amount=1500, currency="USD"), SALE)], "quoted at"),  # another currency
        ([(_cny(1500), None)], "by no campaign"),  # lower, by no campaign
        ([(_cny(1500), SALE), (_cny(800), None)], "a quoted price per line"),
    ],
)
def test_a_quote_that_does_not_fit_the_order_is_not_trusted(quoted, why):
    with pytest.raises(ValueError, match=why):
        at_quoted_prices(price_order([(TEA, 1)], OFFERS), quoted)


def test_without_a_quote_only_an_order_without_coupons_and_campaigns_goes_at_the_catalog_price():
    assert unquoted_refusal([], []) is None
    assert "coupons" in unquoted_refusal([new_id()], [])
    assert str(SALE) in unquoted_refusal([], [SALE, OTHER])
    assert "coupons" in unquoted_refusal([new_id()], [SALE])


NOW = datetime(2026, 12, 12, 12, tzinfo=UTC)
DAY = timedelta(days=1)


def _window(**changes) -> Window:
    fields = {"kind": "holiday_sale", "starts_at": NOW - DAY, "ends_at": NOW + DAY} | changes
    return Window(campaign_id=SALE, **fields)


@pytest.mark.parametrize(
    ("window", "pricing"),
    [
        (_window(), True),  # its window holds now (started, or about to be by campaigns)
        (_window(started_at=NOW - DAY), True),
        (_window(starts_at=NOW + DAY, ends_at=NOW + 2 * DAY), False),  # not yet
        (_window(starts_at=NOW + DAY, ends_at=NOW + 2 * DAY, started_at=NOW), True),  # early
        (_window(starts_at=NOW + CLOCK_SKEW / 2), True),  # campaigns' clock may be ahead
        (_window(ends_at=NOW - 2 * CLOCK_SKEW), False),  # past its end
        (_window(ends_at=NOW - CLOCK_SKEW / 2), True),  # campaigns' clock may be behind
        (_window(closed_at=NOW - DAY / 2), False),  # ended or cancelled
        (_window(kind="flash_sale"), False),  # its mechanics price, not campaign prices
        (_window(kind="group_buy"), False),
        (_window(kind="lottery"), False),
        (_window(kind=None, starts_at=None, ends_at=None, started_at=NOW), True),
        (_window(kind=None, starts_at=None, ends_at=None), False),
    ],
)
def test_which_campaigns_could_be_pricing_now(window, pricing):
    assert could_price(window, NOW) is pricing


def test_a_cart_shows_the_quoted_campaign_price_beside_the_list_price():
    gone = new_id()  # a SKU no longer sold: shown, not quoted
    listed = price_cart([(TEA, 2), (gone, 1), (CUP, 1)], OFFERS)
    assert (listed.prices_confirmed, [line.sku_id for line in quotable(listed.lines)]) == (
        False,
        [TEA, CUP],
    )
    cart = at_cart_quote(listed, [(_cny(1500), SALE), (_cny(800), None)])
    assert [(x.list_price, x.unit_price, x.campaign_id, x.line_total) for x in cart.lines] == [
        (_cny(1999), _cny(1500), SALE, _cny(3000)),
        (None, None, None, None),
        (_cny(800), _cny(800), None, _cny(800)),
    ]
    assert (cart.total, cart.campaign_ids, cart.prices_confirmed) == (None, [SALE], True)
    whole = at_cart_quote(
        price_cart([(TEA, 2), (CUP, 1)], OFFERS), [(_cny(1500), SALE), (_cny(700), SALE)]
    )
    assert (whole.total, whole.campaign_ids) == (_cny(3700), [SALE])


def test_an_empty_cart_or_one_with_nothing_to_price_is_confirmed_as_it_is():
    assert price_cart([], OFFERS).prices_confirmed
    assert price_cart([(new_id(), 1)], OFFERS).prices_confirmed


@pytest.mark.parametrize(
    "quoted",
    [
        [(_cny(2100), SALE)],  # above the list price
        [(_cny(0), SALE)],  # at nothing
        [(Money(amount=1500, currency="USD"), SALE)],  # another currency
        [(_cny(1500), None)],  # lower by no campaign
        [],  # not a price per line
    ],
)
def test_a_cart_quote_checkout_would_not_trust_is_refused(quoted):
    with pytest.raises(ValueError, match="quoted"):
        at_cart_quote(price_cart([(TEA, 1)], OFFERS), quoted)
