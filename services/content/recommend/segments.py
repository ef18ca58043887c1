"""Cold start by segment: each segment's favourite posts (those most of its members had),
learned at training from the same interactions as the snapshot. Pure."""

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

FAVOURITES = 50  # kept per segment


@dataclass(frozen=True)
class SegmentFavourites:
    """Per segment, its favourite posts with a score in (0, 1]: the members who had the post
    over the members who had its most-had one."""

    lists: dict[Hashable, dict[Hashable, float]] = field(default_factory=dict)

    @classmethod
    def count(
        cls,
        users: Sequence[Hashable],
        items: Sequence[Hashable],
        members: Iterable[tuple[Hashable, Hashable]],
        n: int = FAVOURITES,
    ) -> "SegmentFavourites":
        """From (user, item) interactions given as two parallel sequences (a pair may repeat)
        and (user, segment) memberships."""
        segments_of: dict[Hashable, list[Hashable]] = defaultdict(list)
        for user, segment in members:
            segments_of[user].append(segment)
        counts: dict[Hashable, Counter] = defaultdict(Counter)
        for user, item in {(u, i) for u, i in zip(users, items, strict=True) if u in segments_of}:
            for segment in segments_of[user]:
                counts[segment][item] += 1
        lists = {}
        for segment, counter in counts.items():
            best = sorted(counter.items(), key=lambda pair: (-pair[1], str(pair[0])))[:n]
            lists[segment] = {item: had / best[0][1] for item, had in best}
        return cls(lists)

    def favourites(self, segments: Iterable[Hashable]) -> dict[Hashable, float]:
        """The favourites of a reader in `segments`: each post scored by the segment that
        likes it most."""
        scores: dict[Hashable, float] = {}
        for segment in segments:
            for item, score in self.lists.get(segment, {}).items():
                scores[item] = max(scores.get(item, 0.0), score)
        return scores
