"""C2M rules, without I/O: which cluster a demand signal belongs to, how a cluster's trend is
read, and the proposal's states.

A cluster is a category and a set of attributes (颜色=绿, 容量=1l), plus, for searches that
found nothing and asked for no attribute the catalog knows, the words searched. A search's
attributes are read out of its words (`c2m.attributes`); one with attributes in a known
category is that category's cluster with them, as a want is, its other words naming the
product. Names, values and words are normalized like search text (traditional to simplified,
width, case), so 綠 and 绿 are one demand."""

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache
from uuid import UUID

from contracts.catalog import ProposalState
from services.catalog.c2m.attributes import ReadQuery
from services.catalog.products.listing import IllegalTransition
from services.catalog.search.text import document_tokens, normalize, query_tokens

VOLUME_DAYS = 30  # a cluster's volume: its signals of the last 30 days (UTC, today's too)
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


def miss_cluster(category_id: UUID | None, read: ReadQuery) -> ClusterKey:
    """The cluster of a search that found nothing, read as `read`: with attributes in a known
    category, the category's cluster with those attributes, where the wants of them are (the
    other words name the product, as a want's product does, and products are not part of a
    cluster); otherwise its attributes and its words."""
    if category_id is not None and read.attributes:
        return cluster_of(category_id, read.attributes)
    return cluster_of(category_id, read.attributes, read.words)


def likeliest_category(categories: Sequence[UUID | None]) -> UUID | None:
    """The category of more than half of the products a search's words name (each product's
    category, best match first), or None when they spread over several."""
    if not categories:
        return None
    category, n = Counter(categories).most_common(1)[0]
    return category if n * 2 > len(categories) else None


@lru_cache(maxsize=4096)
def category_terms(name: str) -> tuple[frozenset[str], frozenset[str]]:
    """The words of a category's name: as a query of it is cut (摺疊椅 is 折叠椅, 保温杯/焖烧杯
    is 保温杯 焖 烧杯), with the whole name without spaces; and with them every word the index
    would find such a name by (折叠, 保温...), which name it less surely."""
    words = frozenset(query_tokens(name)) | {normalize(name).replace(" ", "")}
    return words, words | frozenset(document_tokens(name))


@dataclass(frozen=True)
class NamedCategory:
    id: UUID
    path: str  # `/root/.../self/`: an ancestor's path is a prefix of it
    name: str


def category_named(
    words: Sequence[Sequence[str]], categories: Iterable[NamedCategory]
) -> UUID | None:
    """The category a search's words name, for a search whose words name no product:
    `words` holds, for each word, its alternatives (the word, then its synonyms, each as the
    words a query of it has, space-separated: `search.text.expand`). A word names a category
    when one of its alternatives is a word of the category's name (all its words, for a
    synonym of several). The category whose name's own words the most words name wins, then
    the one the most words name counting the words inside its name's (折叠 in 折叠椅: 折叠
    保温杯 is a cup, 折叠 alone a chair); of several as good, the deepest when they lie on
    one branch (杯子 > 保温杯: 保温杯), none when they lie on several (a 配件 of phones and
    one of cameras: the search stays uncategorised)."""

    def named(alternatives: Sequence[str], terms: frozenset[str]) -> bool:
        return any(set(a.split()) <= terms for a in alternatives if a.strip())

    scored: list[tuple[tuple[int, int], NamedCategory]] = []
    for category in categories:
        own, inner = category_terms(category.name)
        score = (sum(named(w, own) for w in words), sum(named(w, inner) for w in words))
        if score[1]:
            scored.append((score, category))
    if not scored:
        return None
    best = max(score for score, _ in scored)
    tied = [c for score, c in scored if score == best]
    deepest = max(tied, key=lambda c: len(c.path))
    return deepest.id if all(deepest.path.startswith(c.path) for c in tied) else None


@dataclass(frozen=True)
class Windows:
    """The first UTC day of each window of a cluster's figures, read on `today`: the volume's
    30 days, the last week's 7 and the 7 before them (up to the last week's first day), each
    ending today; so a signal counts by the day it was made, as the daily rollup keeps it."""

    volume: date
    last_week: date
    week_before: date

    @classmethod
    def of(cls, today: date) -> "Windows":
        return cls(
            volume=today - timedelta(days=VOLUME_DAYS - 1),
            last_week=today - timedelta(days=TREND_DAYS - 1),
            week_before=today - timedelta(days=2 * TREND_DAYS - 1),
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
