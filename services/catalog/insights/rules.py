"""The hot-item (爆款) score, without I/O: how each SKU's figures weigh, and the ranking.

score = 0.35 x velocity + 0.10 x momentum + 0.20 x conversion + 0.10 x margin + 0.15 x rating
        + 0.10 x attention, each in 0..1:
- velocity: units sold a day over 30 days, as a share of the fastest candidate's;
- momentum: the last 7 days' daily sales over the 30 days', halved and capped at 1 (1: the
  week sells at twice the month's pace or more; 0.5: steady);
- conversion: of the units ordered in 30 days, the share paid for, smoothed towards one half
  by one paid and one unpaid unit (Laplace), so that one lucky order does not rank first;
- margin: the price's margin over cost, 0 when sold at or below cost or the cost is unknown;
- rating: the reviews' mean stars, shrunk towards 3 by five reviews of 3 stars (a Bayesian
  mean, so that one 5-star review does not rank first), mapped from 1..5 to 0..1 (no review:
  0.5, neutral);
- attention: the product's views in 30 days (storefront product views, bots left out) as a
  share of the most viewed candidate's (none viewed: 0 for all).
"""

from dataclasses import dataclass
from fractions import Fraction
from uuid import UUID

WEIGHTS = {
    "velocity": 0.35,
    "momentum": 0.10,
    "conversion": 0.20,
    "margin": 0.10,
    "rating": 0.15,
    "attention": 0.10,
}
DAYS, RECENT_DAYS = 30, 7
PRIOR_REVIEWS, PRIOR_STARS = 5, 3


@dataclass(frozen=True)
class Figures:
    """What is known of a SKU over the last 30 days."""

    sku_id: UUID
    sold_30d: int  # units of paid orders (the saga's confirmations)
    sold_7d: int
    ordered_30d: int  # units of orders placed and reserved
    paid_30d: int  # of those, units whose order was paid
    margin_bps: int | None  # of its price now, over its cost
    views_30d: int = 0  # of its product, in the storefront
    reviews: int = 0  # reviews of the SKU, all time
    stars: int = 0  # their stars, summed


@dataclass(frozen=True)
class Scored:
    figures: Figures
    velocity: float  # units a day
    momentum: float
    conversion: float
    margin: float
    rating: float
    attention: float
    score: float

    @property
    def mean_stars(self) -> float | None:
        f = self.figures
        return None if f.reviews == 0 else f.stars / f.reviews


def momentum(sold_7d: int, sold_30d: int) -> float:
    if sold_30d == 0:
        return 0.0
    pace = Fraction(sold_7d, RECENT_DAYS) / Fraction(sold_30d, DAYS)
    return float(min(pace / 2, 1))


def conversion(ordered: int, paid: int) -> float:
    return (paid + 1) / (ordered + 2)


def margin(margin_bps: int | None) -> float:
    return 0.0 if margin_bps is None else min(max(margin_bps, 0), 10_000) / 10_000


def rating(reviews: int, stars: int) -> float:
    mean = Fraction(stars + PRIOR_STARS * PRIOR_REVIEWS, reviews + PRIOR_REVIEWS)
    return float((mean - 1) / 4)


def rank(candidates: list[Figures]) -> list[Scored]:
    """The SKUs that sold in the last 30 days, best score first (ties: most sold, then id)."""
    selling = [c for c in candidates if c.sold_30d > 0]
    if not selling:
        return []
    fastest = max(c.sold_30d for c in selling)
    most_viewed = max(c.views_30d for c in selling)
    scored = []
    for c in selling:
        parts = {
            "velocity": c.sold_30d / fastest,
            "momentum": momentum(c.sold_7d, c.sold_30d),
            "conversion": conversion(c.ordered_30d, c.paid_30d),
            "margin": margin(c.margin_bps),
            "rating": rating(c.reviews, c.stars),
            "attention": c.views_30d / most_viewed if most_viewed else 0.0,
        }
        score = sum(WEIGHTS[name] * value for name, value in parts.items())
        scored.append(
            Scored(
                figures=c,
                velocity=c.sold_30d / DAYS,
                momentum=parts["momentum"],
                conversion=parts["conversion"],
                margin=parts["margin"],
                rating=parts["rating"],
                attention=parts["attention"],
                score=round(score, 4),
            )
        )
    return sorted(scored, key=lambda s: (-s.score, -s.figures.sold_30d, s.figures.sku_id))
