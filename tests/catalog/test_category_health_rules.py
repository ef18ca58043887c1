"""Category health rules: the figures' derived readings and the role they suggest."""

from fractions import Fraction

import pytest

from contracts.catalog import CategoryRole
from services.catalog.insights import health
from services.catalog.insights.health import Figures

CORE, ADVANTAGE, POTENTIAL, ELIMINATE = (
    CategoryRole.CORE,
    CategoryRole.ADVANTAGE,
    CategoryRole.POTENTIAL,
    CategoryRole.TO_ELIMINATE,
)


def figures(**changes) -> Figures:
    base = dict(
        skus=10,
        listed_skus=8,
        sold_30d=60,  # 2 a day
        views_30d=1000,
        orders_30d=20,  # 2%: does not convert
        available=120,  # 60 days of cover
        margin_bps=2000,
    )
    return Figures(**(base | changes))


def test_the_derived_readings():
    f = figures()
    assert (f.listed_share, f.velocity, f.conversion, f.cover_days) == (
        Fraction(4, 5),
        2,
        Fraction(1, 50),
        60,
    )
    assert figures(skus=0, listed_skus=0).listed_share is None
    assert figures(views_30d=99).conversion is None  # too few views to say
    assert figures(sold_30d=0).cover_days is None


@pytest.mark.parametrize(
    ("changes", "role"),
    [
        ({"sold_30d": 300, "margin_bps": 1500}, CORE),  # 10 a day at 15%: both at the line
        ({"sold_30d": 299, "margin_bps": 1500}, None),  # just under 10 a day
        ({"sold_30d": 300, "margin_bps": 1499}, None),
        ({"sold_30d": 300, "margin_bps": None}, None),  # margin unknown: not core
        ({"orders_30d": 30, "margin_bps": 3000}, ADVANTAGE),  # 3% at 30%
        ({"orders_30d": 30, "margin_bps": 2999}, POTENTIAL),
        ({"orders_30d": 30, "margin_bps": None}, POTENTIAL),
        ({"orders_30d": 29, "margin_bps": 3000}, None),
        ({"orders_30d": 30, "views_30d": 99}, None),  # too few views
        ({"sold_30d": 5, "available": 200}, ELIMINATE),  # 1/6 a day, 1200 days of stock
        ({"sold_30d": 0}, ELIMINATE),  # nothing sold
        ({"sold_30d": 5, "available": 30}, None),  # slow, but the stock goes in 180 days
        ({"sold_30d": 6, "available": 10_000}, None),  # 0.2 a day is not under 0.2
        ({"sold_30d": 0, "listed_skus": 0}, None),  # nothing on sale: nothing to judge
    ],
)
def test_the_first_rule_that_holds_suggests_the_role(changes, role):
    found = health.reading(figures(**changes))
    assert (found.role if found else None) == role


def test_core_comes_before_advantage_and_the_reason_gives_the_figures():
    f = figures(sold_30d=600, orders_30d=100, margin_bps=4000)
    found = health.suggest(POTENTIAL, f)
    assert found.role == CORE
    assert found.reason == "sells 20.0 a day (core: 10) at a margin of 40.0% (core: 15%)"


def test_the_current_role_is_no_suggestion():
    f = figures(sold_30d=0)
    assert health.suggest(ELIMINATE, f) is None
    assert health.suggest(CORE, f).role == ELIMINATE
