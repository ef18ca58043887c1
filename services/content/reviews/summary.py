"""A SKU's rating summary from its ratings: pure, so the arithmetic is tested on its own."""

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Summary:
    count: int
    average: float | None
    verified_count: int
    verified_average: float | None
    distribution: dict[int, int]


def summarize(counts: Iterable[tuple[int, bool, int]]) -> Summary:
    """From (rating, verified, how many) triples. Unverified reviews count in the totals,
    never in the verified figures; averages are rounded to two places, None without any."""
    distribution = dict.fromkeys(range(1, 6), 0)
    total = verified_total = verified_count = 0
    for rating, verified, many in counts:
        distribution[rating] += many
        total += rating * many
        if verified:
            verified_count += many
            verified_total += rating * many
    count = sum(distribution.values())
    return Summary(
        count=count,
        average=round(total / count, 2) if count else None,
        verified_count=verified_count,
        verified_average=round(verified_total / verified_count, 2) if verified_count else None,
        distribution=distribution,
    )
