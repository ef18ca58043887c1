"""Interest tags: which behaviour is evidence of which interest, and when evidence makes a
system tag. No I/O.

An item a user touches (a product viewed or paid for, a post viewed or interacted with) is
known by its labels, kept from the catalogue's and content's events: a product's
`brand:<brand>` and `category:<name>`, a post's `topic:<topic>` and `scene:<tag>`. Each
touch adds one to the (user, label, source) evidence. A label becomes a system tag when its
evidence weighs enough: a paid order weighs most, a product view least.

    weight(paid_order 1, product_view 2) = 1*5 + 2*1 = 7 >= 5: tagged
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
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
    tag: str
    source: Source
    count: int
    last_seen_at: datetime


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


def scores(evidence: Iterable[Evidence]) -> dict[str, int]:
    """Each tag's weight of evidence."""
    total: dict[str, int] = {}
    for item in evidence:
        total[item.tag] = total.get(item.tag, 0) + WEIGHTS[item.source] * item.count
    return total


def system_tags(evidence: Iterable[Evidence]) -> dict[str, int]:
    """The tags the evidence earns, with their scores."""
    return {tag: score for tag, score in scores(evidence).items() if score >= THRESHOLD}
