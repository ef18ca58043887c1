"""A category's health, without I/O: the figures of its subtree over 30 days and the role
they suggest (核心 core, 优势 advantage, 潜力 potential, 淘汰 to-eliminate).

The suggestion, first rule that holds:
- core: sells at least 10 units a day at a margin of 15% or more;
- advantage: a margin of 30% or more and a views-to-orders conversion of 3% or more;
- potential: converts at 3% or more, not (yet) at core's volume;
- to_eliminate: listed, but sells under 0.2 units a day and its stock would last more than
  180 days (or it sold nothing);
- otherwise none: the figures argue for no role, the current one stands.
Conversion is read only over 100 views or more (fewer say nothing), margin only where SKUs'
costs are known. A suggestion equal to the current role is no suggestion."""

from dataclasses import dataclass
from fractions import Fraction

from contracts.catalog import CategoryRole

DAYS = 30
CORE_VELOCITY = Fraction(10)  # units a day
CORE_MARGIN_BPS = 1500
ADVANTAGE_MARGIN_BPS = 3000
CONVERTS = Fraction(3, 100)  # orders per view
MIN_VIEWS = 100
SLOW_VELOCITY = Fraction(1, 5)
LONG_COVER_DAYS = 180


@dataclass(frozen=True)
class Figures:
    """What is known of a category's subtree over the last 30 days."""

    skus: int  # SKUs of its products, any state
    listed_skus: int  # of them, on sale (listed product, SKU not delisted)
    sold_30d: int  # units sold, less those returned
    views_30d: int  # storefront views of its products
    orders_30d: int  # orders placed with any of its SKUs (rejected ones left out)
    available: int  # units available of its SKUs on sale
    margin_bps: int | None  # the mean margin of its SKUs on sale with a known cost

    @property
    def listed_share(self) -> Fraction | None:
        return Fraction(self.listed_skus, self.skus) if self.skus else None

    @property
    def velocity(self) -> Fraction:
        return Fraction(self.sold_30d, DAYS)

    @property
    def conversion(self) -> Fraction | None:
        """Orders per view, when there were views enough to say."""
        return Fraction(self.orders_30d, self.views_30d) if self.views_30d >= MIN_VIEWS else None

    @property
    def cover_days(self) -> Fraction | None:
        """How many days the stock on sale lasts at the month's pace (None: no sales)."""
        return self.available / self.velocity if self.sold_30d else None


@dataclass(frozen=True)
class Suggestion:
    role: CategoryRole
    reason: str


def suggest(current: CategoryRole, f: Figures) -> Suggestion | None:
    """The role the figures suggest, with why; None if they suggest none, or the current."""
    found = reading(f)
    return found if found is not None and found.role != current else None


def reading(f: Figures) -> Suggestion | None:
    """The role the figures argue for, whatever the current one."""
    margin, conversion, velocity = f.margin_bps, f.conversion, f.velocity
    if velocity >= CORE_VELOCITY and margin is not None and margin >= CORE_MARGIN_BPS:
        return Suggestion(
            CategoryRole.CORE,
            f"sells {float(velocity):.1f} a day (core: {CORE_VELOCITY}) at a margin of "
            f"{margin / 100:.1f}% (core: {CORE_MARGIN_BPS / 100:.0f}%)",
        )
    converts = conversion is not None and conversion >= CONVERTS
    if converts and margin is not None and margin >= ADVANTAGE_MARGIN_BPS:
        return Suggestion(
            CategoryRole.ADVANTAGE,
            f"a margin of {margin / 100:.1f}% (advantage: {ADVANTAGE_MARGIN_BPS / 100:.0f}%) "
            f"and {float(conversion) * 100:.1f}% of views ordered (advantage: 3%)",
        )
    if converts:
        return Suggestion(
            CategoryRole.POTENTIAL,
            f"{float(conversion) * 100:.1f}% of views ordered (3% or more) at "
            f"{float(velocity):.1f} a day: converts, not yet at volume",
        )
    cover = f.cover_days
    slow = velocity < SLOW_VELOCITY and (cover is None or cover > LONG_COVER_DAYS)
    if f.listed_skus and slow:
        lasts = "nothing sold" if cover is None else f"stock for {float(cover):.0f} days"
        return Suggestion(
            CategoryRole.TO_ELIMINATE,
            f"sells {float(velocity):.2f} a day (under {float(SLOW_VELOCITY)}), {lasts} "
            f"(eliminate: over {LONG_COVER_DAYS})",
        )
    return None
