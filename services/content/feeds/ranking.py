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
  0 for anonymous readers, readers without history and posts newer than the model.
Diversity: walking down the scores, a post whose author or first topic already holds
MAX_SHARE of the last WINDOW places waits until one frees up (no wall of one author or
topic); what has to wait longest comes last, in score order.
"""

import math
from collections import Counter, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

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
    post_id: UUID
    author: UUID
    published_at: datetime
    tags: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    engagement: dict[str, int] = field(default_factory=dict)
    collaborative: float = 0.0  # the recommender's score for this reader, in [0, 1]
    similar_to: UUID | None = None  # of the reader's posts, the one most like this
    similar_title: str | None = None

    @property
    def labels(self) -> tuple[str, ...]:
        return self.tags + self.topics


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
    # "popular_in", "popular", "new"
    code: str
    label: str | None = None
    post_id: UUID | None = None


@dataclass(frozen=True)
class Ranked:
    candidate: Candidate
    score: float
    reason: Reason


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


def popularity(candidate: Candidate, at: datetime) -> float:
    """Weighted engagement, log-damped, halved every half-life of the post's age."""
    weighted = sum(ENGAGEMENT.get(k, 0.0) * n for k, n in candidate.engagement.items())
    age = max((at - candidate.published_at).total_seconds(), 0.0)
    return math.log1p(weighted) * 0.5 ** (age / POPULARITY_HALF_LIFE.total_seconds())


def freshness(candidate: Candidate, at: datetime) -> float:
    age = max((at - candidate.published_at).total_seconds(), 0.0)
    return math.exp(-age / FRESHNESS_SCALE.total_seconds())


def affinity(candidate: Candidate, interest: dict[str, float]) -> float:
    return min(sum(interest.get(label, 0.0) for label in set(candidate.labels)), 1.0)


def rank(
    candidates: Sequence[Candidate],
    *,
    at: datetime,
    interest: dict[str, float] | None = None,
    seen: frozenset[UUID] = frozenset(),
) -> list[Ranked]:
    """The feed: unseen candidates by score, re-ranked for diversity, each with a reason."""
    interest = interest or {}
    fresh = [c for c in candidates if c.post_id not in seen]
    raw = {c.post_id: popularity(c, at) for c in fresh}
    top = max(raw.values(), default=0.0) or 1.0
    scored = []
    for c in fresh:
        parts = {  # personal parts first: on a tie, they name the reason
            "collaborative": COLLABORATIVE * c.collaborative,
            "affinity": AFFINITY * affinity(c, interest),
            "popularity": POPULARITY * raw[c.post_id] / top,
            "freshness": FRESHNESS * freshness(c, at),
        }
        scored.append(Ranked(c, sum(parts.values()), _reason(c, parts, interest)))
    scored.sort(
        key=lambda r: (-r.score, -r.candidate.published_at.timestamp(), str(r.candidate.post_id))
    )
    return diversify(scored)


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


def _reason(candidate: Candidate, parts: dict[str, float], interest: dict[str, float]) -> Reason:
    """The part that weighed most names the reason; the label is the one it is about."""
    liked = max(
        (label for label in candidate.labels if label in interest),
        key=lambda label: interest[label],
        default=None,
    )
    main = max(parts, key=parts.get)
    if main == "collaborative" and candidate.similar_to is not None:
        return Reason("because_you_liked", candidate.similar_title, candidate.similar_to)
    if main == "affinity" and liked is not None:
        return Reason("because_you_like", liked)
    if main == "freshness":
        topic = next((t for t in candidate.topics if t in interest), None)
        return Reason("new_in_your_topic", topic) if topic else Reason("new")
    label = (
        candidate.tags[0] if candidate.tags else (candidate.topics[0] if candidate.topics else None)
    )
    return Reason("popular_in", label) if label else Reason("popular")
