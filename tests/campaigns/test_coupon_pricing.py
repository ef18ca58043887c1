"""Coupon pricing and stacking rules: discounts, reasons, the best combination, exact splits."""

from datetime import UTC, datetime, timedelta
from itertools import product

import pytest

from chassis.ids import new_id
from services.campaigns.coupons.pricing import (
    Cart,
    CouponKind,
    CouponStatus,
    HeldCoupon,
    Line,
    Reason,
    Scope,
    Terms,
    best,
    exactly,
    price,
    refusal,
    split,
)

NOW = datetime(2026, 12, 12, 12, tzinfo=UTC)
TEA, CUP, BOOK = new_id(), new_id(), new_id()
DRINKS, BRAND = new_id(), new_id()


def cart(*lines: Line, shipping: int = 0, currency: str = "CNY") -> Cart:
    return Cart(currency, tuple(lines), shipping)


def coupon(kind=CouponKind.FIXED, status=CouponStatus.CLAIMED, days=(-1, 1), **terms) -> HeldCoupon:
    terms.setdefault("currency", "CNY")
    return HeldCoupon(
        new_id(),
        Terms(kind=kind, **terms),
        status,
        NOW + timedelta(days=days[0]),
        NOW + timedelta(days=days[1]),
    )


TEA_300 = Line(TEA, 300_00, 1, category_id=DRINKS)
CUP_100 = Line(CUP, 50_00, 2, category_id=DRINKS, brand_id=BRAND)
BOOK_80 = Line(BOOK, 80_00, 1)
CART = cart(TEA_300, CUP_100, BOOK_80, shipping=10_00)  # 480 yuan of goods


@pytest.mark.parametrize(
    ("terms", "base", "off"),
    [
        (Terms(CouponKind.FIXED, "CNY", amount_off=20_00), 480_00, 20_00),
        (Terms(CouponKind.FIXED, "CNY", amount_off=500_00), 480_00, 480_00),  # never below 0
        (Terms(CouponKind.PERCENT, "CNY", percent_off=15), 480_00, 72_00),
        (Terms(CouponKind.PERCENT, "CNY", percent_off=15, cap=50_00), 480_00, 50_00),
        (Terms(CouponKind.PERCENT, "CNY", percent_off=15), 3, 0),  # floor: never over
        (Terms(CouponKind.THRESHOLD, "CNY", amount_off=40_00, threshold=300_00), 899_00, 40_00),
        (
            Terms(CouponKind.THRESHOLD, "CNY", amount_off=40_00, threshold=300_00, repeatable=True),
            899_00,
            80_00,
        ),
        (
            Terms(CouponKind.THRESHOLD, "CNY", amount_off=40_00, threshold=300_00, repeatable=True),
            900_00,
            120_00,
        ),
    ],
)
def test_what_each_kind_takes_off(terms, base, off):
    assert terms.discount(base, 0) == off


@pytest.mark.parametrize(
    ("held", "the_cart", "reason"),
    [
        (coupon(status=CouponStatus.LOCKED, amount_off=1), CART, Reason.IN_USE),
        (coupon(status=CouponStatus.REDEEMED, amount_off=1), CART, Reason.USED),
        (coupon(days=(1, 2), amount_off=1), CART, Reason.NOT_YET_VALID),
        (coupon(days=(-2, 0), amount_off=1), CART, Reason.EXPIRED),  # the end is exclusive
        (coupon(amount_off=1, currency="USD"), CART, Reason.CURRENCY),
        (
            coupon(amount_off=1, scope=Scope(sku_ids=frozenset({new_id()}))),
            CART,
            Reason.OUT_OF_SCOPE,
        ),
        (
            coupon(amount_off=1, scope=Scope(excluded_sku_ids=frozenset({TEA, CUP, BOOK}))),
            CART,
            Reason.OUT_OF_SCOPE,
        ),
        (
            coupon(CouponKind.THRESHOLD, amount_off=40_00, threshold=500_00),
            CART,
            Reason.BELOW_THRESHOLD,
        ),
        # In scope, the threshold counts only the covered lines: drinks are 400 of the 480.
        (
            coupon(
                CouponKind.THRESHOLD,
                amount_off=40_00,
                threshold=450_00,
                scope=Scope(category_ids=frozenset({DRINKS})),
            ),
            CART,
            Reason.BELOW_THRESHOLD,
        ),
        (coupon(CouponKind.FREE_SHIPPING), cart(TEA_300), Reason.NO_SHIPPING_FEE),
    ],
)
def test_each_reason_a_coupon_does_not_apply(held, the_cart, reason):
    assert refusal(held, the_cart, NOW) == reason


def test_a_coupon_in_scope_and_window_applies():
    assert (
        refusal(coupon(amount_off=1, scope=Scope(brand_ids=frozenset({BRAND}))), CART, NOW) is None
    )
    assert refusal(coupon(days=(0, 1), amount_off=1), CART, NOW) is None  # from its first instant


def test_scope_covers_skus_categories_brands_minus_exclusions():
    scope = Scope(category_ids=frozenset({DRINKS}), excluded_sku_ids=frozenset({CUP}))
    assert [scope.covers(line) for line in CART.lines] == [True, False, False]
    assert [Scope(brand_ids=frozenset({BRAND})).covers(line) for line in CART.lines] == [
        False,
        True,
        False,
    ]
    assert all(Scope().covers(line) for line in CART.lines)


def test_amount_off_applies_before_percent_off_so_nothing_is_discounted_twice():
    forty = coupon(CouponKind.THRESHOLD, amount_off=40_00, threshold=300_00, stacking_group="shop")
    tenth = coupon(CouponKind.PERCENT, percent_off=10, stacking_group="platform")
    quote = price(CART, [tenth, forty])
    assert [a.coupon_id for a in quote.applied] == [forty.id, tenth.id]
    assert quote.discount == 40_00 + (480_00 - 40_00) // 10


def test_line_discounts_add_up_to_each_coupon_and_never_exceed_a_line():
    lines = (Line(TEA, 1, 1), Line(CUP, 1, 1), Line(BOOK, 1, 1))
    quote = price(cart(*lines), [coupon(amount_off=2)])
    assert sum(quote.line_discounts) == 2
    assert all(0 <= d <= 1 for d in quote.line_discounts)
    scoped = price(CART, [coupon(amount_off=30_00, scope=Scope(category_ids=frozenset({DRINKS})))])
    assert scoped.line_discounts == (30_00 * 300 // 400, 30_00 * 100 // 400, 0)


@pytest.mark.parametrize(
    ("amount", "weights"), list(product([0, 1, 7, 99, 100], [[1, 1, 1], [3, 0, 97], [50, 50]]))
)
def test_split_is_exact_and_bounded(amount, weights):
    if amount > sum(weights):
        return
    shares = split(amount, weights)
    assert sum(shares) == amount
    assert all(0 <= s <= w for s, w in zip(shares, weights, strict=True))


def test_the_best_combination_takes_one_coupon_per_stacking_group():
    small = coupon(amount_off=10_00, stacking_group="shop")
    big = coupon(CouponKind.THRESHOLD, amount_off=40_00, threshold=300_00, stacking_group="shop")
    platform = coupon(CouponKind.PERCENT, percent_off=5, cap=100_00, stacking_group="platform")
    shipping = coupon(CouponKind.FREE_SHIPPING, stacking_group="shipping")
    expired = coupon(days=(-3, -1), amount_off=99_00, stacking_group="shop")
    quote = best(CART, [small, big, platform, shipping, expired], NOW)
    assert {a.coupon_id for a in quote.applied} == {big.id, platform.id, shipping.id}
    assert quote.discount == 40_00 + (480_00 - 40_00) * 5 // 100 + 10_00
    assert quote.shipping_discount == 10_00
    assert quote.refused == {small.id: Reason.STACKING, expired.id: Reason.EXPIRED}


def test_the_best_combination_is_the_best_of_all_combinations():
    wallet = [
        coupon(amount_off=50_00, stacking_group="a"),
        coupon(CouponKind.PERCENT, percent_off=20, stacking_group="a"),
        coupon(CouponKind.PERCENT, percent_off=10, stacking_group="b"),
        coupon(
            CouponKind.THRESHOLD,
            amount_off=30_00,
            threshold=100_00,
            repeatable=True,
            stacking_group="b",
        ),
        coupon(amount_off=5_00, scope=Scope(sku_ids=frozenset({BOOK})), stacking_group="c"),
    ]
    quote = best(CART, wallet, NOW)
    every = [
        price(CART, [c for c in pick if c is not None])
        for pick in product([None, *wallet[:2]], [None, *wallet[2:4]], [None, wallet[4]])
    ]
    assert quote.discount == max(q.discount for q in every)
    assert sum(quote.line_discounts) + quote.shipping_discount == quote.discount


def test_on_a_tie_fewer_coupons_are_used():
    twenty = coupon(amount_off=20_00, stacking_group="a")
    nothing_more = coupon(amount_off=0, stacking_group="b")
    quote = best(cart(Line(TEA, 20_00, 1)), [twenty, nothing_more], NOW)
    assert [a.coupon_id for a in quote.applied] == [twenty.id]
    assert quote.refused == {nothing_more.id: Reason.NOT_BEST}


def test_no_coupons_no_discount():
    quote = best(CART, [], NOW)
    assert (quote.applied, quote.discount, quote.line_discounts) == ((), 0, (0, 0, 0))


def test_a_huge_wallet_is_searched_within_the_limit_and_every_coupon_gets_an_answer():
    wallet = [coupon(amount_off=n, stacking_group=f"g{n % 14}") for n in range(1, 60)]
    quote = best(CART, wallet, NOW)
    answered = {a.coupon_id for a in quote.applied} | set(quote.refused)
    assert answered == {c.id for c in wallet}
    assert len(quote.applied) == 14  # one per group, the strongest of each
    assert quote.discount == sum(max(n for n in range(1, 60) if n % 14 == g) for g in range(14))


def test_exactly_takes_all_the_coupons_or_says_why_not():
    a = coupon(amount_off=10_00, stacking_group="a")
    b = coupon(amount_off=20_00, stacking_group="b")
    quote, _ = exactly(CART, [a, b], NOW)
    assert quote.discount == 30_00
    same_group = coupon(amount_off=1_00, stacking_group="a")
    assert exactly(CART, [a, same_group], NOW) == (
        None,
        "two coupons of stacking group 'a': stacking",
    )
    used = coupon(amount_off=1, status=CouponStatus.REDEEMED)
    refused, why = exactly(CART, [a, used], NOW)
    assert refused is None
    assert why == f"coupon {used.id}: used"


@pytest.mark.parametrize("seed", range(40))
def test_the_search_matches_brute_force_over_every_subset(seed):
    """Random wallets: taking one per group then dropping dead weight is as good as trying
    every subset (the monotonicity the search relies on)."""
    import random

    rng = random.Random(seed)
    kinds = [CouponKind.FIXED, CouponKind.PERCENT, CouponKind.THRESHOLD, CouponKind.FREE_SHIPPING]
    wallet = []
    for _ in range(rng.randint(1, 6)):
        kind = rng.choice(kinds)
        wallet.append(
            coupon(
                kind,
                stacking_group=rng.choice("abc"),
                amount_off=rng.randint(1, 200_00),
                percent_off=rng.randint(1, 60),
                cap=rng.choice([None, rng.randint(1, 100_00)]),
                threshold=rng.randint(1, 400_00) if kind == CouponKind.THRESHOLD else 0,
                repeatable=rng.random() < 0.5,
                scope=rng.choice([Scope(), Scope(category_ids=frozenset({DRINKS}))]),
            )
        )
    quote = best(CART, wallet, NOW)
    usable = [c for c in wallet if refusal(c, CART, NOW) is None]
    by_group: dict[str, list] = {}
    for c in usable:
        by_group.setdefault(c.terms.stacking_group, []).append(c)
    brute = (
        max(
            price(CART, [c for c in pick if c is not None]).discount
            for pick in product(*([None, *members] for members in by_group.values()))
        )
        if by_group
        else 0
    )
    assert quote.discount == brute
