"""The hot-item score without I/O: each part, the weights, the ranking."""

import pytest

from chassis.ids import new_id
from services.catalog.insights import rules


def figures(sold_30d=30, sold_7d=7, ordered=40, paid=30, margin_bps=4000, sku_id=None, **signals):
    return rules.Figures(
        sku_id=sku_id or new_id(),
        sold_30d=sold_30d,
        sold_7d=sold_7d,
        ordered_30d=ordered,
        paid_30d=paid,
        margin_bps=margin_bps,
        **signals,
    )


def test_the_weights_sum_to_one():
    assert sum(rules.WEIGHTS.values()) == pytest.approx(1)


@pytest.mark.parametrize(
    ("week", "month", "value"),
    [(7, 30, 0.5), (14, 30, 1.0), (28, 30, 1.0), (0, 30, 0.0), (0, 0, 0.0), (21, 60, 0.75)],
)
def test_momentum_is_the_weeks_pace_over_the_months_halved_and_capped(week, month, value):
    assert rules.momentum(week, month) == pytest.approx(value)


def test_conversion_is_smoothed_towards_a_half():
    assert rules.conversion(0, 0) == 0.5
    assert rules.conversion(1, 1) == pytest.approx(2 / 3)  # one lucky order is not 100%
    assert rules.conversion(98, 98) == pytest.approx(0.99)
    assert rules.conversion(10, 0) == pytest.approx(1 / 12)


@pytest.mark.parametrize(
    ("bps", "value"), [(4000, 0.4), (None, 0.0), (-500, 0.0), (0, 0.0), (10_000, 1.0)]
)
def test_margin_is_clamped_to_zero_and_one(bps, value):
    assert rules.margin(bps) == value


def test_the_score_of_one_candidate_is_its_weighted_parts():
    (only,) = rules.rank([figures(sold_30d=30, sold_7d=7, ordered=40, paid=30, margin_bps=4000)])
    # velocity 1 (it is the fastest), momentum 0.5, conversion 31/42, margin 0.4, no review
    # (rating 0.5), no views (attention 0)
    expected = 0.35 * 1 + 0.10 * 0.5 + 0.20 * (31 / 42) + 0.10 * 0.4 + 0.15 * 0.5 + 0.10 * 0
    assert only.score == round(expected, 4)
    assert (only.velocity, only.momentum, only.margin) == (1.0, 0.5, 0.4)


def test_velocity_is_a_share_of_the_fastest():
    fast, slow = figures(sold_30d=60, sold_7d=14), figures(sold_30d=30, sold_7d=7)
    ranked = rules.rank([slow, fast])
    assert [r.figures for r in ranked] == [fast, slow]
    assert ranked[0].score - ranked[1].score == pytest.approx(0.35 * 0.5, abs=1e-4)


def test_a_sku_that_did_not_sell_is_no_candidate():
    assert rules.rank([figures(sold_30d=0, sold_7d=0)]) == []
    assert rules.rank([]) == []


def test_margin_and_conversion_can_beat_a_little_more_volume():
    volume = figures(sold_30d=32, sold_7d=7, ordered=100, paid=32, margin_bps=500)
    healthy = figures(sold_30d=30, sold_7d=7, ordered=31, paid=30, margin_bps=5000)
    assert [r.figures for r in rules.rank([volume, healthy])] == [healthy, volume]


def test_ties_go_to_the_most_sold_then_the_id():
    low, high = sorted([new_id(), new_id()])
    a = figures(sku_id=high)
    b = figures(sku_id=low)
    assert [r.figures.sku_id for r in rules.rank([a, b])] == [low, high]


@pytest.mark.parametrize(
    ("reviews", "stars", "value"),
    [(0, 0, 0.5), (1, 5, (20 / 6 - 1) / 4), (100, 500, (515 / 105 - 1) / 4), (5, 5, 0.25)],
)
def test_rating_is_the_mean_stars_shrunk_towards_three(reviews, stars, value):
    assert rules.rating(reviews, stars) == pytest.approx(value)


def test_many_good_reviews_outrank_one_perfect_one_and_views_count_as_attention():
    one = figures(reviews=1, stars=5)
    many = figures(reviews=40, stars=180)  # 4.5 stars
    assert [r.figures for r in rules.rank([one, many])] == [many, one]
    seen, unseen = figures(views_30d=400), figures(views_30d=0)
    ranked = rules.rank([unseen, seen])
    assert [(r.figures, r.attention) for r in ranked] == [(seen, 1.0), (unseen, 0.0)]
    assert ranked[0].score - ranked[1].score == pytest.approx(0.10, abs=1e-4)
