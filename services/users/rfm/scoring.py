"""RFM scoring: cut-offs from a population (quintiles) and a user's scores against them.
No I/O.

Each dimension has four ascending cut-offs that separate the scores 1..5. Frequency (paid
orders) and monetary (net spend, minor units) score higher the larger they are; recency (days
since the last paid order) scores higher the smaller it is. A value equal to a cut-off stays
in the lower band, so ties (most users have one order) land in one score, never split."""

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

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
