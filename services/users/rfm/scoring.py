"""RFM scoring: cut-offs from a population (quintiles) and a user's scores against them.
No I/O.

Each dimension has four ascending cut-offs that separate the scores 1..5. Frequency (paid
orders) and monetary (net spend, minor units) score higher the larger they are; recency (days
since the last paid order) scores higher the smaller it is. A value equal to a cut-off stays
in the lower band, so ties (most users have one order) land in one score, never split.

A user's scores change, and the change is announced (`change`), when a payment or a refund
moves a value across a cut-off, when the days since the last paid order pass the next
recency cut-off (`recency_drops_at`: the user's timer), when new cut-offs are set, and when
the user is erased."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from itertools import pairwise

from contracts.users import RfmReason

Cuts = tuple[int, int, int, int]
QUINTILES = (20, 40, 60, 80)  # percent


@dataclass(frozen=True)  # pragma: no mutate (frozen or not, scoring never writes one)
class Edges:
    recency_days: Cuts
    frequency: Cuts
    monetary: Cuts


@dataclass(frozen=True)  # pragma: no mutate (as Edges)
class Scores:
    recency: int
    frequency: int
    monetary: int

    @property
    def code(self) -> str:
        """The usual shorthand, e.g. "543"."""
        return f"{self.recency}{self.frequency}{self.monetary}"


def quintile_cuts(values: Sequence[int]) -> Cuts:
    """The 20th, 40th, 60th and 80th percentiles (nearest rank) of `values`; all zero for an
    empty population."""
    if not values:
        return (0, 0, 0, 0)
    ordered = sorted(values)
    n = len(ordered)
    # nearest rank: the smallest value with at least p% of the values at or below it (the
    # rank, ceil(p * n / 100), is at least 1 for any n of 1 or more)
    return tuple(ordered[-(-percent * n // 100) - 1] for percent in QUINTILES)


def ascending(cuts: Sequence[int]) -> bool:
    return len(cuts) == 4 and all(a < b for a, b in pairwise(cuts))


def higher_is_better(value: int, cuts: Cuts) -> int:
    return 1 + sum(value > cut for cut in cuts)


def lower_is_better(value: int, cuts: Cuts) -> int:
    return 5 - sum(value > cut for cut in cuts)


def score(edges: Edges, *, recency_days: int, frequency: int, monetary: int) -> Scores:
    return Scores(
        recency=lower_is_better(recency_days, edges.recency_days),
        frequency=higher_is_better(frequency, edges.frequency),
        monetary=higher_is_better(monetary, edges.monetary),
    )


def edges_from(population: Sequence[tuple[int, int, int]]) -> Edges:
    """Quintile cut-offs of (recency_days, frequency, monetary) triples."""
    return Edges(
        recency_days=quintile_cuts([p[0] for p in population]),
        frequency=quintile_cuts([p[1] for p in population]),
        monetary=quintile_cuts([p[2] for p in population]),
    )


def days_since(last_paid_at: datetime, at: datetime) -> int:
    """Whole days from the last paid order to `at` (a payment stamped ahead of us: 0)."""
    return max(0, (at - last_paid_at).days)


def recency_drops_at(last_paid_at: datetime, at: datetime, cuts: Cuts) -> datetime | None:
    """The first moment after `at` at which the recency score falls, new payments aside: the
    day the days since the last paid order pass the next cut-off (a value equal to a cut-off
    keeps the better score, so the score falls on the day after it). None at score 1."""
    days = days_since(last_paid_at, at)
    for cut in sorted(cuts):
        if cut >= days:
            return last_paid_at + timedelta(days=cut + 1)
    return None


class Cause(StrEnum):
    """What made the service score a user again."""

    PAID = "paid"  # an order payment arrived
    REFUNDED = "refunded"
    TIMER = "timer"  # the recency timer came due
    CUTS = "cuts"  # the cut-offs were recomputed or set (the same cut-offs or new ones)
    ERASED = "erased"


@dataclass(frozen=True)  # pragma: no mutate (as Edges)
class Scored:
    """What a user's scores were scored from: the values and the codes they give."""

    frequency: int
    monetary: int
    code: str


@dataclass(frozen=True)  # pragma: no mutate (as Edges)
class Change:
    from_code: str | None
    to_code: str | None
    reason: RfmReason


def change(
    before: Scored | None, after: Scored | None, cause: Cause, *, cuts_moved: bool = False
) -> Change | None:
    """The change to announce when a user's scores go from `before` to `after` (None: not
    scored), or None when the code stays: an unchanged code is never announced.

    The reason is what moved the code. A payment or a refund that moved neither frequency
    nor money (a payment counted already) moved nothing itself: the days passed did, so the
    change is `aged`. A recomputation under the same cut-offs that finds a code moved finds
    the same (a timer it overtook)."""
    from_code = before.code if before else None
    to_code = after.code if after else None
    if from_code == to_code:
        return None
    if cause is Cause.ERASED or after is None:
        return Change(from_code, None, RfmReason.ERASED)
    if cause is Cause.CUTS:
        reason = RfmReason.CUTS_CHANGED if cuts_moved or before is None else RfmReason.AGED
        return Change(from_code, to_code, reason)
    if before is None:
        # first scores from a payment: the first paid order (or the first since the cuts)
        return Change(None, to_code, RfmReason.FIRST_ORDER)
    moved = (before.frequency, before.monetary) != (after.frequency, after.monetary)
    if cause is Cause.PAID and moved:
        return Change(from_code, to_code, RfmReason.PAID)
    if cause is Cause.REFUNDED and moved:
        return Change(from_code, to_code, RfmReason.REFUNDED)
    return Change(from_code, to_code, RfmReason.AGED)
