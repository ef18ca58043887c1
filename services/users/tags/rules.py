"""Interest tags: which behaviour is evidence of which interest, and when evidence makes a
system tag. No I/O.

An item a user touches (a product viewed or paid for, a post viewed or interacted with) is
known by its labels, kept from the catalogue's and content's events: a product's
`brand:<brand>` and `category:<name>`, a post's `topic:<topic>` and `scene:<tag>`. Each
touch adds one to the (user, label, source) evidence. A label becomes a system tag when its
evidence weighs enough: a paid order weighs most, a product view least.

    weight(paid_order 1, product_view 2) = 1*5 + 2*1 = 7 >= 5: tagged

Evidence ages: touches are kept per UTC day, and a day's touches count for `window` days
from the start of that day, then no longer. A tag is held while its evidence still counts
enough, with the score its counting days give: each expiring day lowers it, and the day
that takes it below the threshold drops the tag. The next such moment (`score_falls_at`)
is the user's timer in the service.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum


class Source(StrEnum):
    """The kinds of behaviour counted as evidence."""

    PRODUCT_VIEW = "product_view"
    CONTENT = "content"  # a post viewed or interacted with
    PAID_ORDER = "paid_order"


WEIGHTS = {Source.PRODUCT_VIEW: 1, Source.CONTENT: 2, Source.PAID_ORDER: 5}
THRESHOLD = 5  # one paid order, three content interactions, or five product views
MAX_TAG = 60
MAX_LABEL_VALUE = MAX_TAG - len("category:")


@dataclass(frozen=True)
class Evidence:
    """The touches of one kind of things labelled `tag` on one day (UTC)."""

    tag: str
    source: Source
    count: int
    day: date


def normalise(tag: str) -> str:
    """A tag as stored and searched: trimmed, inner whitespace collapsed, lower case."""
    return " ".join(tag.split()).lower()


def label(kind: str, value: str | None) -> str | None:
    """`kind:value` normalised, or None for no value (a product without a brand)."""
    if value is None:
        return None
    value = normalise(value)[:MAX_LABEL_VALUE]
    return f"{kind}:{value}" if value else None


def product_labels(brand: str | None, category: str | None) -> list[str]:
    return sorted({t for t in (label("brand", brand), label("category", category)) if t})


def post_labels(topics: Iterable[str], scenes: Iterable[str]) -> list[str]:
    found = {label("topic", t) for t in topics} | {label("scene", s) for s in scenes}
    return sorted(t for t in found if t)


def day_of(at: datetime) -> date:
    return at.astimezone(UTC).date()


def expires_at(day: date, window: timedelta) -> datetime:
    """When the touches of `day` stop counting: `window` after the day's start (UTC)."""
    return datetime.combine(day, time(), UTC) + window


def first_counted_day(at: datetime, window: timedelta) -> date:
    """The oldest day whose touches still count at `at` (older days can be forgotten)."""
    day = day_of(at - window)
    return day if expires_at(day, window) > at else day + timedelta(days=1)


def counts(item: Evidence, at: datetime, window: timedelta) -> bool:
    return expires_at(item.day, window) > at


def scores(
    evidence: Iterable[Evidence], at: datetime | None = None, window: timedelta | None = None
) -> dict[str, int]:
    """Each tag's weight of the evidence that still counts at `at` (all of it without a
    window)."""
    total: dict[str, int] = {}
    for item in evidence:
        if window is None or at is None or counts(item, at, window):
            total[item.tag] = total.get(item.tag, 0) + WEIGHTS[item.source] * item.count
    return total


def system_tags(
    evidence: Iterable[Evidence], at: datetime | None = None, window: timedelta | None = None
) -> dict[str, int]:
    """The tags the evidence earns at `at`, with their scores."""
    return {tag: score for tag, score in scores(evidence, at, window).items() if score >= THRESHOLD}


def score_falls_at(
    evidence: Iterable[Evidence], at: datetime, window: timedelta
) -> datetime | None:
    """The first moment after `at` at which a tag the evidence earns at `at` scores less, as
    its days expire (new touches aside): the expiry of the oldest day still counting among
    the earned tags' evidence. At that moment the tag scores what its remaining days give,
    or drops if they give too little. None if the evidence earns nothing."""
    evidence = list(evidence)
    earned = system_tags(evidence, at, window)
    expiring = [
        expires_at(item.day, window)
        for item in evidence
        if item.tag in earned and counts(item, at, window)
    ]
    return min(expiring, default=None)
