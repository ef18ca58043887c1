"""Batch events: many events of one type in one message, for a publisher whose cost is per
message (an outbox row, a publication) rather than per event.

A batch is declared with `@event(..., batch_of=Item)`: its payload's `events` holds the
items, on the items' topic and under the key that each item has (checked when it is
staged), so the order per key holds. Consumers never see the batch: each item reaches the
handlers of its type as an event of its own, whose id is derived from the batch's id and
its position. A redelivered batch is then recognised item by item by the inbox, and a sink
that writes the items elsewhere (analytics' event store) names them the same way.
"""

from typing import Any
from uuid import UUID

from chassis.events.envelope import CloudEvent, EventData
from chassis.events.registry import EventSpec, registry

MAX_ITEMS = (1 << 16) - 1  # positions + 1 fit the lowest 16 bits; a message holds fewer


def item_id(batch_id: UUID, index: int) -> UUID:
    """The id of the item at `index` of the batch event `batch_id`: the same at every
    delivery. The batch's id with its lowest 16 bits, random in a UUIDv7, flipped by the
    position: still a UUIDv7 of the batch's millisecond, distinct from the batch's id and
    its other items', and from another batch's items unless the two batches, made in the
    same millisecond, drew the same 58 other random bits (a hash, `uuid5`, costs four
    times more at ingest rate for no safer id)."""
    if not 0 <= index < MAX_ITEMS:
        raise ValueError(f"a batch event carries at most {MAX_ITEMS:,} events")
    return UUID(int=batch_id.int ^ (index + 1))


def check_keys(spec: EventSpec, data: EventData) -> None:
    """Refuse a batch with an item keyed otherwise than the batch: it would be published
    on the batch's partition, out of order with that item's other events."""
    key = spec.key_of(data)
    for index, item in enumerate(data.events):
        if str(getattr(item, spec.key)) != key:
            raise ValueError(f"item {index} of {spec.type} has {spec.key} other than {key!r}")


def items(envelope: CloudEvent) -> list[CloudEvent]:
    """The events a batch event carries, each with its own id, its type and its key as
    subject; the batch's source, time and extensions (trace, request id)."""
    spec = registry.get(envelope.type)
    item = registry.of(spec.batch_of)
    extensions: dict[str, Any] = dict(envelope.model_extra or {})
    # Built without validation: the batch's payload was validated, or built, as a whole.
    return [
        CloudEvent.model_construct(
            id=item_id(envelope.id, index),
            source=envelope.source,
            type=item.type,
            time=envelope.time,
            subject=str(data[item.key]),
            data=data,
            **extensions,
        )
        for index, data in enumerate(envelope.data["events"])
    ]
