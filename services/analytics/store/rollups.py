"""The daily sales rollup behind the console's GMV chart: GMV, orders and refunds per UTC
day and currency, kept beside the raw events and refreshed by the writer.

Why not a materialized view: a view sees each insert block, so a copy of an event that two
writers race in (the case `events`' ReplacingMergeTree exists for) would be added twice,
and nothing collapses a sum. Instead, after each batch the writer recomputes the whole day
of every order paid or refund in the batch from the raw events read `FINAL` (each event
once), and writes the day's figures as a new version of its row. The version is the number
of events summed: events are never removed, so a recount that saw more of them is newer,
and `sales_daily`'s ReplacingMergeTree keeps it whatever order two writers' recounts land
in (an equal count means the same events, so the same figures). A batch retried after a
failure recounts its days again, so a day is never left behind its events.
"""

from collections.abc import Iterable
from datetime import date

from services.analytics.store.clickhouse import EventStore
from services.analytics.store.rows import ORDER_PAID, REFUND_COMPLETED

SALES_TYPES = frozenset({ORDER_PAID, REFUND_COMPLETED})

_RECOUNT = """
INSERT INTO {db:Identifier}.sales_daily (day, currency, gmv, orders, refunded, events)
SELECT toDate(time) AS day, currency,
    sumIf(amount, type = {paid:String}),
    countIf(type = {paid:String}),
    sumIf(amount, type = {refunded:String}),
    count()
FROM {db:Identifier}.events FINAL
WHERE type IN ({paid:String}, {refunded:String}) AND {days}
GROUP BY day, currency
"""
_SOME_DAYS = "toDate(time) IN {days:Array(Date)}"
_EVERY_DAY = "1"


async def recount(store: EventStore, days: Iterable[date]) -> None:
    """Write the figures of `days` again from the raw events."""
    if days := sorted(set(days)):
        await store.execute(_RECOUNT.replace("{days}", _SOME_DAYS), _params() | {"days": days})


async def rebuild(store: EventStore) -> None:
    """Recount every day (a store whose events were written without the rollup)."""
    await store.execute(_RECOUNT.replace("{days}", _EVERY_DAY), _params())


async def rebuild_if_empty(store: EventStore) -> None:
    """Fill the rollup of a store that had events before it (once, at start)."""
    [row] = await store.rows("SELECT count() AS n FROM {db:Identifier}.sales_daily")
    if row["n"] == 0:
        await rebuild(store)


def _params() -> dict:
    return {"paid": ORDER_PAID, "refunded": REFUND_COMPLETED}
