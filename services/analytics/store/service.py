"""The store's operations: record events once, list them newest first."""

import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from chassis.events import CloudEvent
from chassis.pagination import PageRequest, decode_cursor, encode_cursor
from services.analytics.store import rollups
from services.analytics.store.clickhouse import EventStore
from services.analytics.store.rows import event_row, identity_links

_STORED = """
SELECT id FROM {db:Identifier}.events
WHERE type IN {types:Array(String)}
  AND time BETWEEN {first:DateTime64(3, 'UTC')} AND {last:DateTime64(3, 'UTC')}
  AND id IN {ids:Array(UUID)}
"""


async def record(store: EventStore, envelopes: list[CloudEvent]) -> int:
    """Write the events not stored yet, with the identity links they carry, and recount each
    rollup's days of the batch's events (orders and refunds, registrations and lifecycle
    moves); return how many were new.

    A redelivered event (its first write landed, its inbox commit did not) is left out here;
    the table's ReplacingMergeTree collapses any copy that two writers race in. The days are
    recounted even when nothing was new: a retry after a failed recount catches up."""
    rows = list({row["id"]: row for row in map(event_row, envelopes)}.values())
    if not rows:
        return 0
    times = [row["time"] for row in rows]
    async with store.write_lock:
        stored = await store.rows(
            _STORED,
            {
                "types": sorted({row["type"] for row in rows}),
                "first": min(times),
                "last": max(times),
                "ids": [row["id"] for row in rows],
            },
        )
        known = {row["id"] for row in stored}
        fresh = [row for row in rows if row["id"] not in known]
        await store.insert("identities", identity_links(fresh))
        await store.insert("events", fresh)
        for rollup in rollups.ROLLUPS:
            days = (
                row["time"].astimezone(UTC).date() for row in rows if row["type"] in rollup.types
            )
            await rollups.recount(store, days, rollup)
    return len(fresh)


_LIST = """
SELECT id, type, source, subject, time, data
FROM {db:Identifier}.events FINAL
WHERE {filters}
ORDER BY time DESC, id DESC
LIMIT {limit:UInt32}
"""
_FILTERS = {
    "type": "type = {type:String}",
    "subject": "subject = {subject:String}",
    "cursor_time": "(time, id) < ({cursor_time:DateTime64(3, 'UTC')}, {cursor_id:UUID})",
}


async def list_events(
    store: EventStore, *, type: str | None, subject: str | None, page: PageRequest
) -> tuple[list[dict[str, Any]], str | None]:
    """Events by type and subject, newest first, from where the cursor left off."""
    params: dict[str, Any] = {"limit": page.limit + 1}
    if type:
        params["type"] = type
    if subject:
        params["subject"] = subject
    if page.cursor is not None:
        params["cursor_time"], params["cursor_id"] = decode_cursor(page.cursor, [datetime, UUID])
    filters = " AND ".join(sql for name, sql in _FILTERS.items() if name in params) or "1"
    rows = await store.rows(_LIST.replace("{filters}", filters), params)
    for row in rows:
        row["data"] = json.loads(row["data"])
        row["subject"] = row["subject"] or None
    if len(rows) <= page.limit:
        return rows, None
    rows = rows[: page.limit]
    return rows, encode_cursor([rows[-1]["time"], rows[-1]["id"]])
