"""Judging a call by engagement: pure, so the order is tested on its own."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

# The same weights the feeds give engagement: a share says more than a view.
WEIGHTS = {"views": 1, "likes": 3, "favourites": 4, "shares": 5, "comments": 4, "clicks": 2}


@dataclass(frozen=True)
class Entry:
    post_id: UUID
    submitted_at: datetime
    engagement: Mapping[str, int]


def score(engagement: Mapping[str, int]) -> int:
    return sum(WEIGHTS.get(kind, 0) * count for kind, count in engagement.items())


def by_engagement(entries: Iterable[Entry], winners: int) -> list[UUID]:
    """The `winners` best entries; a tie goes to the earlier entry."""
    ranked = sorted(entries, key=lambda e: (-score(e.engagement), e.submitted_at, e.post_id))
    return [e.post_id for e in ranked[:winners]]
