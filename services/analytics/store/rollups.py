"""The daily rollups behind the console's hot charts, kept beside the raw events and
refreshed by the writer: sales (GMV, orders and refunds per UTC day and currency),
lifecycle moves (users entering and leaving each stage per UTC day) and RFM moves (users
entering and leaving each RFM layer and code per UTC day).

Why not materialized views: a view sees each insert block, so a copy of an event that two
writers race in (the case `events`' ReplacingMergeTree exists for) would be added twice,
and nothing collapses a sum. Instead, after each batch the writer recomputes the whole day
of every event of a rollup's types in the batch from the raw events read `FINAL` (each
event once), and writes the day's figures as a new version of its rows. The version is the
number of events summed into the row: events are never removed, so a recount that saw more
of them is newer, and the rollup's ReplacingMergeTree keeps it whatever order two writers'
recounts land in (an equal count means the same events, so the same figures). A batch
retried after a failure recounts its days again, so a day is never left behind its events.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from services.analytics.metrics.rfm import CODES, layer_of
from services.analytics.store.clickhouse import EventStore
from services.analytics.store.rows import (
    LIFECYCLE_CHANGED,
    ORDER_PAID,
    REFUND_COMPLETED,
    RFM_SCORES_CHANGED,
    USER_REGISTERED,
)


@dataclass(frozen=True)
class Rollup:
    """A daily table recounted from the events of `types`: `recount` is its INSERT ...
    SELECT, with `{days}` where the days it recounts are chosen. Each day's row is split by
    `key` and holds the counts `figures` (what `read` sums)."""

    table: str
    types: frozenset[str]
    recount: str
    params: dict[str, Any]
    key: str
    figures: tuple[str, ...]


SALES = Rollup(
    table="sales_daily",
    types=frozenset({ORDER_PAID, REFUND_COMPLETED}),
    recount="""
INSERT INTO {db:Identifier}.sales_daily (day, currency, gmv, orders, refunded, events)
SELECT toDate(time) AS day, currency,
    sumIf(amount, type = {paid:String}),
    countIf(type = {paid:String}),
    sumIf(amount, type = {refunded:String}),
    count()
FROM {db:Identifier}.events FINAL
WHERE type IN ({paid:String}, {refunded:String}) AND {days}
GROUP BY day, currency
""",
    params={"paid": ORDER_PAID, "refunded": REFUND_COMPLETED},
    key="currency",
    figures=("gmv", "orders", "refunded"),
)
# A registration enters `potential` (users keeps no stage for a user never decided); each
# move leaves its `from_stage` and enters its `to_stage`. A row's version counts the events
# that touched that stage that day.
LIFECYCLE = Rollup(
    table="lifecycle_daily",
    types=frozenset({USER_REGISTERED, LIFECYCLE_CHANGED}),
    recount="""
INSERT INTO {db:Identifier}.lifecycle_daily (day, stage, entered, exited, events)
SELECT day, move.1 AS stage, sum(move.2), sum(move.3), count()
FROM (
    SELECT toDate(time) AS day,
        arrayJoin(if(type = {registered:String},
            [('potential', toUInt64(1), toUInt64(0))],
            [(JSONExtractString(data, 'to_stage'), toUInt64(1), toUInt64(0)),
             (JSONExtractString(data, 'from_stage'), toUInt64(0), toUInt64(1))])) AS move
    FROM {db:Identifier}.events FINAL
    WHERE type IN ({registered:String}, {changed:String}) AND {days}
)
GROUP BY day, stage
""",
    params={"registered": USER_REGISTERED, "changed": LIFECYCLE_CHANGED},
    key="stage",
    figures=("entered", "exited"),
)
# Each scores change leaves its `from_code` and enters its `to_code` (a user's first scores
# leave nothing, an erased user's enter nothing: JSON null reads as ''), and leaves and
# enters their layers unless both codes are of the same layer (a move inside a layer is no
# move of the layer). The layer of a code comes from `metrics/rfm.py`, passed as two arrays.
RFM = Rollup(
    table="rfm_daily",
    types=frozenset({RFM_SCORES_CHANGED}),
    recount="""
INSERT INTO {db:Identifier}.rfm_daily (day, grouping, label, entered, exited, events)
SELECT day, move.1 AS grouping, move.2 AS label, sum(move.3), sum(move.4), count()
FROM (
    SELECT toDate(time) AS day,
        JSONExtractString(data, 'from_code') AS from_code,
        JSONExtractString(data, 'to_code') AS to_code,
        transform(from_code, {codes:Array(String)}, {layers:Array(String)}, '') AS from_layer,
        transform(to_code, {codes:Array(String)}, {layers:Array(String)}, '') AS to_layer,
        arrayJoin(arrayFilter(m -> m.2 != '', [
            ('code', to_code, toUInt64(1), toUInt64(0)),
            ('code', from_code, toUInt64(0), toUInt64(1)),
            ('layer', if(from_layer = to_layer, '', to_layer), toUInt64(1), toUInt64(0)),
            ('layer', if(from_layer = to_layer, '', from_layer), toUInt64(0), toUInt64(1))
        ])) AS move
    FROM {db:Identifier}.events FINAL
    WHERE type = {changed:String} AND {days}
)
GROUP BY day, grouping, label
""",
    params={
        "changed": RFM_SCORES_CHANGED,
        "codes": list(CODES),
        "layers": [layer_of(code).value for code in CODES],
    },
    key="label",
    figures=("entered", "exited"),
)
ROLLUPS = (SALES, LIFECYCLE, RFM)

_SOME_DAYS = "toDate(time) IN {days:Array(Date)}"
_EVERY_DAY = "1"


async def recount(store: EventStore, days: Iterable[date], rollup: Rollup = SALES) -> None:
    """Write the figures of `days` again from the raw events."""
    if days := sorted(set(days)):
        sql = rollup.recount.replace("{days}", _SOME_DAYS)
        await store.execute(sql, rollup.params | {"days": days})


async def rebuild(store: EventStore, rollup: Rollup = SALES) -> None:
    """Recount every day (a store whose events were written without the rollup)."""
    await store.execute(rollup.recount.replace("{days}", _EVERY_DAY), rollup.params)


async def rebuild_if_empty(store: EventStore) -> None:
    """Fill each rollup of a store that had events before it (at start, while it is empty:
    a store without any such events recounts nothing, cheaply, at each start)."""
    for rollup in ROLLUPS:
        [row] = await store.rows(f"SELECT count() AS n FROM {{db:Identifier}}.{rollup.table}")
        if row["n"] == 0:
            await rebuild(store, rollup)


# The days of [start, end) by period and key, each figure summed and, beside it, its running
# total over every day up to the period's end (`<figure>_to_date`: the days before `start`
# summed into one row that comes first, then left out). The `keys` named have a zero row in
# every period, so a period without rows still has its point; keys the table holds beyond
# them come after them, by name, in the periods they have rows.
_READ = """
SELECT period, key AS {key_name}, {figures}, {to_date} FROM (
    SELECT before, period, key, {figures},
        {running}
    FROM (
        SELECT before, period, key, {sums}
        FROM (
            SELECT day < {start:Date} AS before,
                if(before, {start:Date}, {day_period}) AS period, {key} AS key, {figures}
            FROM {db:Identifier}.{table} FINAL
            WHERE {where} AND day < {end:Date}
            UNION ALL
            SELECT false AS before, {zero_period} AS period,
                arrayJoin({keys:Array(String)}) AS key, {zeros}
            FROM numbers(toUInt64(dateDiff('day', {start:Date}, {end:Date})))
        )
        GROUP BY before, period, key
    )
)
WHERE NOT before
ORDER BY period, indexOf({keys:Array(String)}, key) = 0, indexOf({keys:Array(String)}, key), key
"""


async def read(
    store: EventStore,
    rollup: Rollup,
    start: date,
    end: date,
    *,
    period: str = "toDate({t})",
    keys: Sequence[str] = (),
    where: str = "1",
    params: Mapping[str, Any] | None = None,
) -> list[dict]:
    """The rollup's figures for the days [start, end), per `period` (a ClickHouse expression
    of the day `{t}`: the day itself, its Monday, its month's first day) and key (named as
    the rollup's column: `currency`, `stage`, `label`), with each
    figure's running total from the first day the rollup holds (`<figure>_to_date`); `keys`
    have a row in every period, and `where` (of `params`) chooses the rows read."""
    figures = rollup.figures
    sql = (
        _READ.replace("{figures}", ", ".join(figures))
        .replace("{to_date}", ", ".join(f"{f}_to_date" for f in figures))
        .replace("{sums}", ", ".join(f"sum({f}) AS {f}" for f in figures))
        .replace(
            "{running}",
            ",\n        ".join(
                f"sum(toInt64({f})) OVER (PARTITION BY key ORDER BY before DESC, period "
                f"ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS {f}_to_date"
                for f in figures
            ),
        )
        .replace("{day_period}", period.replace("{t}", "day"))
        .replace("{zero_period}", period.replace("{t}", "toDate({start:Date}) + number"))
        .replace("{zeros}", ", ".join(f"0 AS {f}" for f in figures))
        .replace("{key_name}", rollup.key)
        .replace("{key}", rollup.key)
        .replace("{table}", rollup.table)
        .replace("{where}", where)
    )
    return await store.rows(sql, {**(params or {}), "start": start, "end": end, "keys": keys})
