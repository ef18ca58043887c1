"""Membership tiers, pure: what the spend reaches, upgrades at once, downgrades only on the
review date, and the multiplier points are earned at."""

from datetime import UTC, datetime, timedelta

import pytest

from contracts.users import Tier, TierReason
from services.users.membership import tiers
from services.users.points import rules

NOW = datetime(2026, 12, 1, tzinfo=UTC)
YEAR = timedelta(days=365)


@pytest.mark.parametrize(
    ("spend", "tier"),
    [
        (0, Tier.REGULAR),
        (99_999, Tier.REGULAR),
        (100_000, Tier.SILVER),
        (499_999, Tier.SILVER),
        (500_000, Tier.GOLD),
        (2_000_000, Tier.PLATINUM),
    ],
)
def test_the_spend_reaches_a_tier(spend, tier):
    assert tiers.qualified(spend) == tier


def test_an_upgrade_comes_at_once_with_a_review_a_period_away():
    decided = tiers.decide(Tier.REGULAR, None, 600_000, NOW, YEAR)
    assert decided == tiers.Decision(Tier.GOLD, NOW + YEAR, TierReason.UPGRADE)
    again = tiers.decide(Tier.SILVER, NOW + YEAR, 2_500_000, NOW, YEAR)
    assert again == tiers.Decision(Tier.PLATINUM, NOW + YEAR, TierReason.UPGRADE)


def test_a_lower_spend_keeps_the_tier_until_the_review():
    review = NOW + timedelta(days=10)
    assert tiers.decide(Tier.GOLD, review, 0, NOW, YEAR) is None
    assert tiers.decide(Tier.GOLD, review, 0, review - timedelta(seconds=1), YEAR) is None


def test_on_the_review_date_the_tier_falls_to_what_the_spend_holds():
    review = NOW
    assert tiers.decide(Tier.GOLD, review, 150_000, NOW, YEAR) == tiers.Decision(
        Tier.SILVER, NOW + YEAR, TierReason.REVIEW
    )
    assert tiers.decide(Tier.SILVER, review, 0, NOW, YEAR) == tiers.Decision(
        Tier.REGULAR, None, TierReason.REVIEW
    )


def test_a_review_the_spend_passes_only_moves_the_date():
    assert tiers.decide(Tier.GOLD, NOW, 700_000, NOW, YEAR) == tiers.Decision(
        Tier.GOLD, NOW + YEAR, None
    )
    assert tiers.decide(Tier.REGULAR, None, 50_000, NOW, YEAR) is None


def test_benefits_rise_with_the_tier():
    levels = [tiers.BY_TIER[t].benefits for t in tiers.ORDER]
    assert [b.points_multiplier_percent for b in levels] == [100, 120, 150, 200]
    assert [b.member_price for b in levels] == [False, True, True, True]
    assert [b.free_shipping_threshold for b in levels] == [9900, 6900, 3900, 0]
    assert tiers.next_level(Tier.GOLD).tier == Tier.PLATINUM
    assert tiers.next_level(Tier.PLATINUM) is None


def test_points_earn_at_the_multiplier_rounded_down_once():
    assert rules.earned(10_000, 1, 150) == 150
    assert rules.earned(1_050, 1, 120) == 12  # 10 points x 1.2
    assert rules.earned(1_999, 3, 150) == 85  # 19 units x 3 = 57, x 1.5 = 85.5, rounded down
    assert rules.earned(1_999, 3) == 57


def with_level(index: int, **changes) -> tuple:
    levels = list(tiers.LEVELS)
    benefits = {k: v for k, v in changes.items() if k != "spend_12m"}
    level = levels[index]
    levels[index] = tiers.Level(
        level.tier,
        changes.get("spend_12m", level.spend_12m),
        tiers.Benefits(**{**level.benefits.__dict__, **benefits}),
    )
    return tuple(levels)


@pytest.mark.parametrize(
    ("levels", "path"),
    [
        (tiers.LEVELS[:3], "levels"),
        (tuple(reversed(tiers.LEVELS)), "levels"),
        (with_level(0, spend_12m=1), "levels[0].spend_12m"),
        (with_level(2, spend_12m=100_000), "levels[2].spend_12m"),  # silver's: not above
        (
            with_level(3, points_multiplier_percent=140),
            "levels[3].benefits.points_multiplier_percent",
        ),
        (with_level(2, member_price=False), "levels[2].benefits.member_price"),
        (with_level(1, free_shipping_threshold=9901), "levels[1].benefits.free_shipping_threshold"),
    ],
)
def test_a_tier_table_is_refused_naming_what_is_wrong(levels, path):
    assert tiers.problem(levels)[0] == path


def test_the_seeded_table_and_equal_neighbours_are_allowed():
    assert tiers.problem(tiers.LEVELS) is None
    assert tiers.problem(with_level(2, points_multiplier_percent=120)) is None  # silver's


def test_the_rules_follow_the_levels_in_force():
    cheaper = with_level(1, spend_12m=50_000)
    assert tiers.qualified(60_000) == Tier.REGULAR
    assert tiers.qualified(60_000, cheaper) == Tier.SILVER
    assert tiers.next_level(Tier.REGULAR, cheaper).spend_12m == 50_000
    dearer = with_level(3, spend_12m=3_000_000)
    held = tiers.decide(Tier.PLATINUM, NOW, 2_500_000, NOW, YEAR, dearer)
    assert held == tiers.Decision(Tier.GOLD, NOW + YEAR, TierReason.REVIEW)
