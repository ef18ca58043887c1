"""How an event becomes a row of the store (pure: no I/O)."""

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson

from chassis.events import CloudEvent, batches, registry
from contracts.analytics import BehaviourBatchRecorded, BehaviourRecorded
from contracts.campaigns import CouponClaimed
from contracts.catalog import ProductCreated, ProductUpdated
from contracts.orders import OrderPaid, RefundCompleted
from contracts.users import (
    LifecycleChanged,
    RfmScoresChanged,
    SegmentEntered,
    SegmentLeft,
    UserRegistered,
)

BEHAVIOUR = registry.of(BehaviourRecorded).type
BEHAVIOUR_BATCH = registry.of(BehaviourBatchRecorded).type
COUPON_CLAIMED = registry.of(CouponClaimed).type
PRODUCT_CREATED = registry.of(ProductCreated).type
PRODUCT_UPDATED = registry.of(ProductUpdated).type
ORDER_PAID = registry.of(OrderPaid).type
REFUND_COMPLETED = registry.of(RefundCompleted).type
SEGMENT_ENTERED = registry.of(SegmentEntered).type
SEGMENT_LEFT = registry.of(SegmentLeft).type
LIFECYCLE_CHANGED = registry.of(LifecycleChanged).type
USER_REGISTERED = registry.of(UserRegistered).type
RFM_SCORES_CHANGED = registry.of(RfmScoresChanged).type


def event_rows(envelopes: list[CloudEvent]) -> list[dict[str, Any]]:
    """The rows of `envelopes`: one per event, a batch's items each under the id its
    consumers know it by (chassis.events.batches)."""
    rows = []
    for envelope in envelopes:
        if envelope.type == BEHAVIOUR_BATCH:
            rows += (
                _row(
                    batches.item_id(envelope.id, index),
                    BEHAVIOUR,
                    envelope.source,
                    data["actor"],
                    datetime.fromisoformat(data["occurred_at"]),
                    data,
                )
                for index, data in enumerate(envelope.data["events"])
            )
        else:
            rows.append(event_row(envelope))
    return rows


def event_row(envelope: CloudEvent) -> dict[str, Any]:
    """The row of `envelope`: its envelope, plus the columns that queries group and filter by
    (who, what, how much), read from the payload once here rather than in every query."""
    return _row(
        envelope.id,
        envelope.type,
        envelope.source,
        envelope.subject or "",
        _occurred_at(envelope),
        envelope.data,
    )


def _row(
    id: UUID, type_: str, source: str, subject: str, time: datetime, data: dict[str, Any]
) -> dict[str, Any]:
    amount, currency = _money(type_, data)
    behaviour = type_ == BEHAVIOUR
    return {
        "id": str(id),
        "type": type_,
        "name": data["action"] if behaviour else type_,
        "source": source,
        "subject": subject,
        "time": time,
        "actor": _actor(type_, data),
        "user_id": str(data.get("user_id") or data.get("customer_id") or ""),
        "anonymous_id": str(data.get("anonymous_id") or "") if behaviour else "",
        "amount": amount,
        "currency": currency,
        "data": dumps(data),
        "bot_signals": (data.get("bot_signals") or []) if behaviour else [],
    }


def dumps(value: Any, default: Callable[[Any], Any] | None = None) -> str:
    """Compact JSON text, UTF-8 kept, datetimes given to `default`. orjson, a few times
    faster than the standard library at ingest rate (ADR 0026); it refuses integers beyond
    64 bits, which a client's properties may hold, and those rows take the standard path."""
    try:
        return orjson.dumps(value, default=default, option=orjson.OPT_PASSTHROUGH_DATETIME).decode()
    except TypeError:
        return json.dumps(value, default=default, separators=(",", ":"), ensure_ascii=False)


def identity_links(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One link per anonymous id that a signed-in behaviour event carried with a user id:
    from then on, that anonymous id's history counts as the user's."""
    links = {}
    for row in rows:
        if row["type"] == BEHAVIOUR and row["anonymous_id"] and row["user_id"]:
            links[row["anonymous_id"]] = {
                "anonymous_id": row["anonymous_id"],
                "user_id": row["user_id"],
                "linked_at": row["time"],
            }
    return list(links.values())


def _occurred_at(envelope: CloudEvent) -> datetime:
    # Behaviour happened when the client says (validated at collection); a domain event
    # when its service committed it (the envelope's time, kept through any outage).
    if envelope.type == BEHAVIOUR:
        return datetime.fromisoformat(envelope.data["occurred_at"])
    return envelope.time


def _actor(type_: str, data: dict[str, Any]) -> str:
    if type_ == BEHAVIOUR:
        return str(data["actor"])
    return str(data.get("customer_id") or data.get("user_id") or "")


def _money(type_: str, data: dict[str, Any]) -> tuple[int, str]:
    # GMV counts what buyers paid for goods (the lines), not shipping.
    if type_ == ORDER_PAID:
        lines = data["lines"]
        return sum(line["paid"]["amount"] for line in lines), lines[0]["paid"]["currency"]
    if type_ == REFUND_COMPLETED:
        return data["amount"]["amount"], data["amount"]["currency"]
    return 0, ""
