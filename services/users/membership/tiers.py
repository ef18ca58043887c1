"""Membership tiers: the spend each needs, the benefits each gives, and when a tier changes.
No I/O.

A tier rises as soon as the rolling 12-month spend reaches it and is then held until its
review date; on that date it falls to what the spend holds then (a refund lowers the spend
but never takes a tier away on the spot), and the next review is set."""

from dataclasses import dataclass
from datetime import datetime, timedelta

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
BY_TIER = {level.tier: level for level in LEVELS}


def qualified(spend_12m: int) -> Tier:
    """The highest tier the spend reaches."""
    return [level.tier for level in LEVELS if spend_12m >= level.spend_12m][-1]


def next_level(tier: Tier) -> Level | None:
    index = ORDER.index(tier)
    return LEVELS[index + 1] if index + 1 < len(LEVELS) else None


@dataclass(frozen=True)
class Decision:
    tier: Tier
    review_at: datetime | None
    reason: TierReason | None  # None: the tier stays and only the review date moves


def decide(
    current: Tier, review_at: datetime | None, spend_12m: int, now: datetime, period: timedelta
) -> Decision | None:
    """What happens to a member holding `current` whose spend is `spend_12m` now: None when
    nothing changes."""
    reached = qualified(spend_12m)
    rank = ORDER.index
    if rank(reached) > rank(current):
        return Decision(reached, now + period, TierReason.UPGRADE)
    if review_at is None or now < review_at:
        return None  # held until the review, whatever the spend does meanwhile
    if reached == current:
        return Decision(current, None if current == Tier.REGULAR else now + period, None)
    return Decision(reached, None if reached == Tier.REGULAR else now + period, TierReason.REVIEW)
