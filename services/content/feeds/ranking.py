"""Ranking a feed: the hybrid recommender's collaborative signal, tag affinity, popularity
with time decay and freshness, already-seen posts left out, then re-ranked for diversity;
every item says why it is there. Pure: the service gathers candidates and the user's
history, this decides the order.

score = POPULARITY * popularity + FRESHNESS * freshness + AFFINITY * affinity
      + COLLABORATIVE * collaborative, each in [0, 1]:
- popularity: log(1 + weighted engagement) halved every POPULARITY_HALF_LIFE of age,
  divided by the largest among the candidates;
- freshness: exp(-age / FRESHNESS_SCALE): a new post gets a chance before anyone acted;
- affinity: how much of the user's interest (tags and topics weighted by what they did with
  posts carrying them) the post's labels cover;
- collaborative: the recommender's score of the post for this reader (people who had what
  the reader had also had this: ALS folded in and item co-occurrence, recommend/serving.py),
  0 for anonymous readers, readers without history and posts newer than the model; for a
  reader without history, the post's popularity within the reader's segments takes its
  place (cold start: their segment first, then what is popular with everyone).
Diversity: walking down the scores, a post whose author or first topic already holds
MAX_SHARE of the last WINDOW places waits until one frees up (no wall of one author or
topic); what has to wait longest comes last, in score order.

`rank` is the reference: every rule, candidate by candidate. `rank_page` is what feeds
serve: the same scores, order and reasons (tested against `rank` on a seeded population),
over arrays, diversifying only as far as the page and making a `Ranked` for its items only.
"""

import math
from collections import Counter, deque
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from itertools import repeat
from uuid import UUID

import numpy as np

POPULARITY, FRESHNESS, AFFINITY, COLLABORATIVE = 0.3, 0.15, 0.25, 0.3
POPULARITY_HALF_LIFE = timedelta(hours=48)
FRESHNESS_SCALE = timedelta(hours=24)
WINDOW, MAX_SHARE = 5, 2
ENGAGEMENT = {
    "views": 1.0, "likes": 3.0, "favourites": 4.0, "shares": 5.0, "comments": 4.0, "clicks": 2.0
}  # fmt: skip
# What each interaction says about a user's interest in a post's labels.
INTEREST = {"view": 1.0, "like": 3.0, "favourite": 4.0, "share": 4.0, "comment": 3.0, "click": 3.0}
DWELL_BONUS_PER_MINUTE, DWELL_BONUS_CAP = 1.0, 3.0


@dataclass(frozen=True)
class Candidate:
    """A published post as every reader's ranking sees it (what is personal comes apart,
    as a `Personal`), so one candidate serves many feeds."""

    post_id: UUID
    author: UUID
    published_at: datetime
    tags: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    engagement: dict[str, int] = field(default_factory=dict)
    # Derived once: log(1 + weighted engagement), the labels, the publication in seconds,
    # the counters in ENGAGEMENT's order.
    engaged: float = field(init=False, repr=False, compare=False)
    labels: tuple[str, ...] = field(init=False, repr=False, compare=False)
    distinct_labels: frozenset[str] = field(init=False, repr=False, compare=False)
    published_ts: float = field(init=False, repr=False, compare=False)
    counts: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        weighted = sum(ENGAGEMENT.get(k, 0.0) * n for k, n in self.engagement.items())
        object.__setattr__(self, "engaged", math.log1p(weighted))
        object.__setattr__(self, "labels", self.tags + self.topics)
        object.__setattr__(self, "distinct_labels", frozenset(self.labels))
        object.__setattr__(self, "published_ts", self.published_at.timestamp())
        object.__setattr__(self, "counts", tuple(self.engagement.get(k, 0) for k in ENGAGEMENT))


@dataclass(frozen=True)
class Personal:
    """What is this reader's own in a feed: per post, the recommender's score for them (in
    [0, 1]), and of their posts the one each is most like, with its title; for a reader
    without history, each post's popularity in their segments (in [0, 1])."""

    collaborative: Mapping[UUID, float] = field(default_factory=dict)
    similar: Mapping[UUID, tuple[UUID, str | None]] = field(default_factory=dict)
    segment: Mapping[UUID, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Signal:
    """One thing a user did with a post, with that post's labels."""

    kind: str
    tags: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    dwell_ms: int = 0


@dataclass(frozen=True)
class Reason:
    # "because_you_liked" (a post), "because_you_like" (a tag or topic), "new_in_your_topic",
    # "popular_in_your_segment", "popular_in", "popular", "new"
    code: str
    label: str | None = None
    post_id: UUID | None = None


@dataclass(frozen=True)
class Ranked:
    """A candidate's place: its score, and why it is there (worked out when asked: a feed
    ranks every candidate and names the reasons of one page)."""

    candidate: Candidate
    score: float
    parts: dict[str, float] = field(repr=False, compare=False)
    interest: Mapping[str, float] = field(repr=False, compare=False)
    similar: tuple[UUID, str | None] | None = field(default=None, repr=False, compare=False)

    @cached_property
    def reason(self) -> Reason:
        return _reason(self.candidate, self.parts, self.interest, self.similar)


def interests(signals: Iterable[Signal]) -> dict[str, float]:
    """A user's interest per label, normalized to sum to 1 (empty without history)."""
    weights: Counter[str] = Counter()
    for signal in signals:
        for label in signal.tags + signal.topics:
            weights[label] += weight(signal)
    total = sum(weights.values())
    return {label: w / total for label, w in weights.items()} if total else {}


def weight(signal: Signal) -> float:
    """How much one thing a user did says about their interest: by its kind, and for a
    view by how long they stayed."""
    value = INTEREST.get(signal.kind, 0.0)
    if signal.kind == "view":
        value += min(signal.dwell_ms / 60_000 * DWELL_BONUS_PER_MINUTE, DWELL_BONUS_CAP)
    return value


_HALF_LIFE = POPULARITY_HALF_LIFE.total_seconds()
_FRESHNESS_SCALE = FRESHNESS_SCALE.total_seconds()


def popularity(candidate: Candidate, at: datetime) -> float:
    """Weighted engagement, log-damped, halved every half-life of the post's age."""
    return _popularity(candidate, at.timestamp())


def freshness(candidate: Candidate, at: datetime) -> float:
    return _freshness(candidate, at.timestamp())


def _popularity(candidate: Candidate, at: float) -> float:
    age = max(at - candidate.published_ts, 0.0)
    return candidate.engaged * 0.5 ** (age / _HALF_LIFE)


def _freshness(candidate: Candidate, at: float) -> float:
    return math.exp(-max(at - candidate.published_ts, 0.0) / _FRESHNESS_SCALE)


def affinity(candidate: Candidate, interest: Mapping[str, float]) -> float:
    if not interest:
        return 0.0
    return min(sum(interest.get(label, 0.0) for label in candidate.distinct_labels), 1.0)


NOBODY = Personal()


def rank(
    candidates: Sequence[Candidate],
    *,
    at: datetime,
    interest: Mapping[str, float] | None = None,
    seen: Collection[UUID] = frozenset(),
    personal: Personal = NOBODY,
) -> list[Ranked]:
    """The feed: unseen candidates by score, re-ranked for diversity, each with a reason."""
    interest = interest or {}
    moment = at.timestamp()
    fresh = [c for c in candidates if c.post_id not in seen]
    raw = [_popularity(c, moment) for c in fresh]
    top = max(raw, default=0.0) or 1.0
    scored = []
    for c, popular in zip(fresh, raw, strict=True):
        parts = {  # personal parts first: on a tie, they name the reason
            "collaborative": COLLABORATIVE * personal.collaborative.get(c.post_id, 0.0),
            "segment": COLLABORATIVE * personal.segment.get(c.post_id, 0.0),
            "affinity": AFFINITY * affinity(c, interest),
            "popularity": POPULARITY * popular / top,
            "freshness": FRESHNESS * _freshness(c, moment),
        }
        similar = personal.similar.get(c.post_id)
        scored.append(Ranked(c, sum(parts.values()), parts, interest, similar))
    scored.sort(key=lambda r: (-r.score, -r.candidate.published_ts, str(r.candidate.post_id)))
    return diversify(scored)


def rank_page(
    candidates: Sequence[Candidate],
    *,
    at: datetime,
    limit: int,
    interest: Mapping[str, float] | None = None,
    seen: Collection[UUID] = frozenset(),
    personal: Personal = NOBODY,
) -> tuple[list[Ranked], bool]:
    """`rank(...)[:limit]`, and whether more candidates follow it. Each part is computed
    as `rank` computes it (the same floating-point operations in the same order, so the
    same bits), the five summed over arrays; diversity places `limit` items (its first
    places depend on nothing after them)."""
    interest = interest or {}
    moment = at.timestamp()
    fresh = [c for c in candidates if c.post_id not in seen]
    if not fresh:
        return [], False
    # _popularity and _freshness, inline (the same operations).
    ages = [max(moment - c.published_ts, 0.0) for c in fresh]
    raw = [c.engaged * 0.5 ** (age / _HALF_LIFE) for c, age in zip(fresh, ages, strict=True)]
    top = max(raw) or 1.0
    collaborative, segment = personal.collaborative.get, personal.segment.get
    zeros, liking = repeat(0.0), interest.get
    parts = {
        "collaborative": COLLABORATIVE * np.array([collaborative(c.post_id, 0.0) for c in fresh]),
        "segment": COLLABORATIVE * np.array([segment(c.post_id, 0.0) for c in fresh]),
        "affinity": AFFINITY
        * np.array(
            [min(sum(map(liking, c.distinct_labels, zeros)), 1.0) for c in fresh]
            if interest
            else [0.0] * len(fresh)
        ),
        "popularity": POPULARITY * np.array(raw) / top,
        "freshness": FRESHNESS * np.array([math.exp(-age / _FRESHNESS_SCALE) for age in ages]),
    }
    scores = 0.0 + parts["collaborative"]  # summed in rank's order
    for name in ("segment", "affinity", "popularity", "freshness"):
        scores = scores + parts[name]
    order = _order(fresh, scores)
    placed = _diversified(fresh, order, limit)
    names = list(parts)
    columns = [parts[name] for name in names]
    page = [
        Ranked(
            fresh[i],
            float(scores[i]),
            {name: float(column[i]) for name, column in zip(names, columns, strict=True)},
            interest,
            personal.similar.get(fresh[i].post_id),
        )
        for i in placed
    ]
    return page, len(fresh) > limit


def _order(fresh: Sequence[Candidate], scores: np.ndarray) -> list[int]:
    """`rank`'s order: by score, then the newer post, then the id as text (only when a
    score and a publication are both tied)."""
    published = np.array([c.published_ts for c in fresh])
    order = np.lexsort((-published, -scores))
    ordered_scores, ordered_published = scores[order], published[order]
    tied = (ordered_scores[1:] == ordered_scores[:-1]) & (
        ordered_published[1:] == ordered_published[:-1]
    )
    if not tied.any():
        return order.tolist()
    values = scores.tolist()
    return sorted(
        range(len(fresh)),
        key=lambda i: (-values[i], -fresh[i].published_ts, str(fresh[i].post_id)),
    )


def _diversified(fresh: Sequence[Candidate], order: list[int], limit: int) -> list[int]:
    """`diversify`'s first `limit` places, by index into `fresh`."""
    authors = [c.author for c in fresh]
    topics = [c.topics[0] if c.topics else None for c in fresh]
    waiting, placed = list(order), []
    recent: deque[int] = deque(maxlen=WINDOW - 1)
    while waiting and len(placed) < limit:
        index = 0
        for n, i in enumerate(waiting):
            author, topic = authors[i], topics[i]
            if sum(authors[r] == author for r in recent) < MAX_SHARE and (
                topic is None or sum(topics[r] == topic for r in recent) < MAX_SHARE
            ):
                index = n
                break
        item = waiting.pop(index)
        placed.append(item)
        recent.append(item)
    return placed


def diversify(
    ranked: Sequence[Ranked], window: int = WINDOW, max_share: int = MAX_SHARE
) -> list[Ranked]:
    """Keep any author or first topic to `max_share` of every `window` consecutive places."""
    waiting = list(ranked)
    placed: list[Ranked] = []
    recent: deque[Ranked] = deque(maxlen=window - 1)
    while waiting:
        # The best that fits; when everything left crowds the window, the best.
        index = next(
            (i for i, item in enumerate(waiting) if _fits(item.candidate, recent, max_share)), 0
        )
        item = waiting.pop(index)
        placed.append(item)
        recent.append(item)
    return placed


def _fits(candidate: Candidate, recent: Iterable[Ranked], max_share: int) -> bool:
    authors = sum(r.candidate.author == candidate.author for r in recent)
    topic = candidate.topics[0] if candidate.topics else None
    topics = topic is not None and sum(
        bool(r.candidate.topics) and r.candidate.topics[0] == topic for r in recent
    )
    return authors < max_share and (topic is None or topics < max_share)


def _reason(
    candidate: Candidate,
    parts: dict[str, float],
    interest: Mapping[str, float],
    similar: tuple[UUID, str | None] | None,
) -> Reason:
    """The part that weighed most names the reason; the label is the one it is about."""
    main = max(parts, key=parts.get)
    if main == "collaborative" and similar is not None:
        return Reason("because_you_liked", similar[1], similar[0])
    if main == "segment" and parts["segment"] > 0:
        return Reason("popular_in_your_segment")
    if main == "affinity":
        liked = max(
            (label for label in candidate.labels if label in interest),
            key=lambda label: interest[label],
            default=None,
        )
        if liked is not None:
            return Reason("because_you_like", liked)
    if main == "freshness":
        topic = next((t for t in candidate.topics if t in interest), None)
        return Reason("new_in_your_topic", topic) if topic else Reason("new")
    label = (
        candidate.tags[0] if candidate.tags else (candidate.topics[0] if candidate.topics else None)
    )
    return Reason("popular_in", label) if label else Reason("popular")
