"""C2M rules, without I/O: which cluster a demand signal belongs to, how a cluster's trend is
read, and the proposal's states.

A cluster is a category and a set of attributes (颜色=绿, 容量=1l), plus, for searches that
found nothing, the words searched: a search carries no attributes of its own, its words stand
for them. Names, values and words are normalized like search text (traditional to
simplified, width, case), so 綠 and 绿 are one demand."""

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from contracts.catalog import ProposalState
from services.catalog.products.listing import IllegalTransition
from services.catalog.search.text import normalize

VOLUME_DAYS = 30  # a cluster's volume: its signals in the last 30 days
TREND_DAYS = 7  # its trend: the last 7 days against the 7 before
RISING, FALLING = 1.25, 0.8  # a quarter more is rising, a fifth less is falling
MAX_KEYWORDS = 10


class SignalKind(StrEnum):
    SEARCH_MISSED = "search_missed"  # a storefront search that found nothing
    WANT = "want"  # a customer's "want" vote (想要) for a product, maybe in given attributes
    WISHLIST = "wishlist"  # a customer put a product on their wishlist


@dataclass(frozen=True)
class ClusterKey:
    category_id: UUID | None
    attributes: tuple[tuple[str, str], ...]  # sorted (name, value) pairs
    keywords: tuple[str, ...]  # sorted words

    @property
    def digest(self) -> str:
        """The cluster's stable key: a hash of its canonical form."""
        canonical = json.dumps(
            [str(self.category_id) if self.category_id else None, self.attributes, self.keywords],
            ensure_ascii=False,
            separators=(",", ":"),
        )
        return hashlib.sha256(canonical.encode()).hexdigest()

    @property
    def label(self) -> str:
        """What operators read: the words, then the attributes (保温杯 · 颜色=绿)."""
        parts = [" ".join(self.keywords)] if self.keywords else []
        parts += [f"{name}={value}" for name, value in self.attributes]
        return " · ".join(parts) or "(the category itself)"


def cluster_of(
    category_id: UUID | None,
    attributes: Mapping[str, str] | None = None,
    keywords: Iterable[str] = (),
) -> ClusterKey:
    """The cluster of a signal about `category_id` asking for `attributes`, or searching
    `keywords`: the same demand however it is spelled or ordered."""
    pairs = {normalize(n): normalize(v) for n, v in (attributes or {}).items()}
    words = sorted({w for w in (normalize(k) for k in keywords) if w})[:MAX_KEYWORDS]
    return ClusterKey(
        category_id=category_id,
        attributes=tuple(sorted((n, v) for n, v in pairs.items() if n and v)),
        keywords=tuple(words),
    )


class Trend(StrEnum):
    NEW = "new"  # nothing the week before, something this week
    RISING = "rising"
    STEADY = "steady"
    FALLING = "falling"
    QUIET = "quiet"  # nothing in either week


def trend(recent: int, previous: int) -> tuple[Trend, float | None]:
    """How the last 7 days' signals compare with the 7 before: the reading and the ratio
    (None when the week before had none)."""
    if recent < 0 or previous < 0:
        raise ValueError("signal counts are not negative")
    if previous == 0:
        return (Trend.NEW if recent else Trend.QUIET), None
    ratio = recent / previous
    if ratio >= RISING:
        return Trend.RISING, ratio
    if ratio <= FALLING:
        return Trend.FALLING, ratio
    return Trend.STEADY, ratio


class ProposalAction(StrEnum):
    ACCEPT = "accept"
    SAMPLE = "sample"
    LAUNCH = "launch"
    DECLINE = "decline"


OPEN = (ProposalState.PROPOSED, ProposalState.ACCEPTED, ProposalState.SAMPLED)

MOVES: dict[ProposalAction, tuple[tuple[ProposalState, ...], ProposalState]] = {
    ProposalAction.ACCEPT: ((ProposalState.PROPOSED,), ProposalState.ACCEPTED),
    ProposalAction.SAMPLE: ((ProposalState.ACCEPTED,), ProposalState.SAMPLED),
    ProposalAction.LAUNCH: ((ProposalState.SAMPLED,), ProposalState.LAUNCHED),
    ProposalAction.DECLINE: (OPEN, ProposalState.DECLINED),
}


def move(current: ProposalState, action: ProposalAction) -> ProposalState:
    """The state `action` takes a proposal in `current` to; a 409 if its track does not
    allow it there (launched and declined are the ends)."""
    leaves, reaches = MOVES[action]
    if current not in leaves:
        allowed = " or ".join(leaves)
        raise IllegalTransition(f"A proposal {current} cannot {action} (only {allowed}).")
    return reaches
