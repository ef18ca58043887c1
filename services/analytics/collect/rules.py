"""What collection accepts from a client (pure: no I/O).

Each event of a batch is judged on its own: a malformed one, one whose name is not a
behaviour we collect, or one whose client time is too far from the server's is rejected
with its reasons, and the others are kept. The past limit also bounds how long the dedup
keys must be kept: an event older than it is refused anyway."""

import json
from datetime import datetime, timedelta
from typing import Any

import orjson
from pydantic import ValidationError

from contracts.analytics import Action
from services.analytics.collect.schemas import CollectedEvent, Reason, Rejected

MAX_EVENTS = 500  # per batch; more is 413
MAX_BODY_BYTES = 1_000_000  # per request; more is 413
MAX_FUTURE = timedelta(minutes=10)  # client clocks run a little fast
MAX_PAST = timedelta(days=7)  # an app that was offline sends late, not weeks late
# An event's properties, as JSON: its events are published in batches, which the broker
# takes up to a size; a few properties are a few dozen bytes.
MAX_PROPERTIES_BYTES = 16_384
COLLECTED = frozenset(
    {
        Action.PAGE_VIEW,
        Action.PRODUCT_VIEW,
        Action.SEARCH,
        Action.ADD_TO_CART,
        Action.CONTENT_VIEW,
        Action.SHARE,
        Action.CLICK,
    }
)


def judge(index: int, raw: Any, now: datetime) -> CollectedEvent | Rejected:
    """The event at `index` of a batch, or why it is rejected."""
    try:
        event = CollectedEvent.model_validate(raw)
    except ValidationError as error:
        return Rejected(
            index=index,
            client_event_id=_client_event_id(raw),
            reasons=[
                Reason(field=".".join(map(str, e["loc"])) or "(event)", message=e["msg"])
                for e in error.errors()
            ],
        )
    reasons = []
    if event.name not in COLLECTED:
        names = ", ".join(sorted(COLLECTED))
        reasons.append(Reason(field="name", message=f"unknown event name; one of: {names}"))
    if problem := out_of_window(event.client_time, now):
        reasons.append(Reason(field="client_time", message=problem))
    if problem := too_large(event.properties):
        reasons.append(Reason(field="properties", message=problem))
    if reasons:
        return Rejected(index=index, client_event_id=event.client_event_id, reasons=reasons)
    return event


def _client_event_id(raw: Any) -> str | None:
    value = raw.get("client_event_id") if isinstance(raw, dict) else None
    return value if isinstance(value, str) and len(value) <= 64 else None


def properties_bytes(properties: dict[str, Any]) -> int:
    """The size of `properties` as JSON (as published: UTF-8, no spaces)."""
    if not properties:
        return 2
    try:
        return len(orjson.dumps(properties))
    except TypeError:  # an integer beyond 64 bits: the standard library writes it
        return len(json.dumps(properties, separators=(",", ":"), ensure_ascii=False).encode())


def too_large(properties: dict[str, Any]) -> str | None:
    """Why an event's properties cannot be kept, or None if they can."""
    if properties_bytes(properties) > MAX_PROPERTIES_BYTES:
        return f"more than {MAX_PROPERTIES_BYTES:,} bytes as JSON"
    return None


def out_of_window(moment: datetime, now: datetime) -> str | None:
    """Why a client's time for an event cannot be kept, or None if it can."""
    if moment > now + MAX_FUTURE:
        return f"more than {MAX_FUTURE} ahead"
    if moment < now - MAX_PAST:
        return f"more than {MAX_PAST.days} days ago"
    return None
