"""Membership tiers: the spend each needs, the benefits each gives, and when a tier changes.
No I/O.

A tier rises as soon as the rolling 12-month spend reaches it and is then held until its
review date; on that date it falls to what the spend holds then (a refund lowers the spend
but never takes a tier away on the spot), and the next review is set.

The thresholds and benefits are operators' data, versioned (`membership_tiers`); `LEVELS`
is version 1, as seeded. Every rule takes the levels in force."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise

from contracts.users import Tier, TierReason

ORDER = (Tier.REGULAR, Tier.SILVER, Tier.GOLD, Tier.PLATINUM)
WINDOW = timedelta(days=365)  # the rolling spend counts orders paid within this


@dataclass(frozen=True)
class Benefits:
    points_multiplier_percent: int  # earned points x this / 100
    member_price: bool  # may buy at member prices
    free_shipping_threshold: int  # minor units; orders from this amount ship free


@dataclass(frozen=True)
class Level:
    tier: Tier
    spend_12m: int  # minor units of rolling 12-month net spend that reach the tier
    benefits: Benefits


LEVELS = (
    Level(Tier.REGULAR, 0, Benefits(100, False, 9900)),
    Level(Tier.SILVER, 100_000, Benefits(120, True, 6900)),
    Level(Tier.GOLD, 500_000, Benefits(150, True, 3900)),
    Level(Tier.PLATINUM, 2_000_000, Benefits(200, True, 0)),
)
BY_TIER = {level.tier: level for level in LEVELS}  # version 1's
Levels = tuple[Level, ...]
MAX_MULTIPLIER = 1000  # percent


def of(levels: Levels, tier: Tier) -> Level:
    return levels[ORDER.index(tier)]


def qualified(spend_12m: int, levels: Levels = LEVELS) -> Tier:
    """The highest tier the spend reaches."""
    return [level.tier for level in levels if spend_12m >= level.spend_12m][-1]


def next_level(tier: Tier, levels: Levels = LEVELS) -> Level | None:
    index = ORDER.index(tier)
    return levels[index + 1] if index + 1 < len(levels) else None


def problem(levels: Levels) -> tuple[str, str] | None:
    """What is wrong with a table of levels, as (path under the body, message); None if
    nothing: every tier once, in order; regular from 0; thresholds strictly rising; a higher
    tier gives no less (multiplier, member price, free shipping)."""
    if tuple(level.tier for level in levels) != ORDER:
        return "levels", f"must be the tiers {', '.join(ORDER)}, each once, in that order"
    if levels[0].spend_12m != 0:
        return "levels[0].spend_12m", "regular is where everyone starts: 0"
    for i, (lower, level) in enumerate(pairwise(levels), start=1):
        at, was, now = f"levels[{i}]", lower.benefits, level.benefits
        if level.spend_12m <= lower.spend_12m:
            return f"{at}.spend_12m", f"must be above {lower.tier}'s {lower.spend_12m}"
        if now.points_multiplier_percent < was.points_multiplier_percent:
            return f"{at}.benefits.points_multiplier_percent", f"must not be below {lower.tier}'s"
        if was.member_price and not now.member_price:
            return f"{at}.benefits.member_price", f"{lower.tier} has it: so must {level.tier}"
        if now.free_shipping_threshold > was.free_shipping_threshold:
            return f"{at}.benefits.free_shipping_threshold", f"must not be above {lower.tier}'s"
    return None


@dataclass(frozen=True)
class Decision:
    tier: Tier
    review_at: datetime | None
    reason: TierReason | None  # None: the tier stays and only the review date moves


def decide(
    current: Tier,
    review_at: datetime | None,
    spend_12m: int,
    now: datetime,
    period: timedelta,
    levels: Levels = LEVELS,
) -> Decision | None:
    """What happens to a member holding `current` whose spend is `spend_12m` now, under the
    `levels` in force: None when nothing changes."""
    reached = qualified(spend_12m, levels)
    rank = ORDER.index
    if rank(reached) > rank(current):
        return Decision(reached, now + period, TierReason.UPGRADE)
    if review_at is None or now < review_at:
        return None  # held until the review, whatever the spend does meanwhile
    if reached == current:
        return Decision(current, None if current == Tier.REGULAR else now + period, None)
    return Decision(reached, None if reached == Tier.REGULAR else now + period, TierReason.REVIEW)
