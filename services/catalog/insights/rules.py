"""The hot-item (爆款) score, without I/O: how each SKU's figures weigh, and the ranking.

score = 0.45 x velocity + 0.15 x momentum + 0.25 x conversion + 0.15 x margin, each in 0..1:
- velocity: units sold a day over 30 days, as a share of the fastest candidate's;
- momentum: the last 7 days' daily sales over the 30 days', halved and capped at 1 (1: the
  week sells at twice the month's pace or more; 0.5: steady);
- conversion: of the units ordered in 30 days, the share paid for, smoothed towards one half
  by one paid and one unpaid unit (Laplace), so that one lucky order does not rank first;
- margin: the price's margin over cost, 0 when sold at or below cost or the cost is unknown.
Views and ratings weigh nothing yet: the catalog does not receive them (analytics and
content own them); their figures are reported as None until it does.
"""

from dataclasses import dataclass
from fractions import Fraction
from uuid import UUID

WEIGHTS = {"velocity": 0.45, "momentum": 0.15, "conversion": 0.25, "margin": 0.15}
DAYS, RECENT_DAYS = 30, 7


@dataclass(frozen=True)
class Figures:
    """What is known of a SKU over the last 30 days."""

    sku_id: UUID
    sold_30d: int  # units of paid orders (the saga's confirmations)
    sold_7d: int
    ordered_30d: int  # units of orders placed and reserved
    paid_30d: int  # of those, units whose order was paid
    margin_bps: int | None  # of its price now, over its cost


@dataclass(frozen=True)
class Scored:
    figures: Figures
    velocity: float  # units a day
    momentum: float
    conversion: float
    margin: float
    score: float


def momentum(sold_7d: int, sold_30d: int) -> float:
    if sold_30d == 0:
        return 0.0
    pace = Fraction(sold_7d, RECENT_DAYS) / Fraction(sold_30d, DAYS)
    return float(min(pace / 2, 1))


def conversion(ordered: int, paid: int) -> float:
    return (paid + 1) / (ordered + 2)


def margin(margin_bps: int | None) -> float:
    return 0.0 if margin_bps is None else min(max(margin_bps, 0), 10_000) / 10_000


def rank(candidates: list[Figures]) -> list[Scored]:
    """The SKUs that sold in the last 30 days, best score first (ties: most sold, then id)."""
    selling = [c for c in candidates if c.sold_30d > 0]
    if not selling:
        return []
    fastest = max(c.sold_30d for c in selling)
    scored = []
    for c in selling:
        parts = {
            "velocity": c.sold_30d / fastest,
            "momentum": momentum(c.sold_7d, c.sold_30d),
            "conversion": conversion(c.ordered_30d, c.paid_30d),
            "margin": margin(c.margin_bps),
        }
        score = sum(WEIGHTS[name] * value for name, value in parts.items())
        scored.append(
            Scored(
                figures=c,
                velocity=c.sold_30d / DAYS,
                momentum=parts["momentum"],
                conversion=parts["conversion"],
                margin=parts["margin"],
                score=round(score, 4),
            )
        )
    return sorted(scored, key=lambda s: (-s.score, -s.figures.sold_30d, s.figures.sku_id))
