"""Funnel queries: ClickHouse's windowFunnel over each person's events."""

from datetime import datetime, timedelta

from chassis.events import registry
from contracts.analytics import Action
from services.analytics.funnels.schemas import FunnelStep
from services.analytics.funnels.steps import conversions
from services.analytics.store.clickhouse import EventStore

# A person is the user, or the user an anonymous id was linked to, or else that anonymous id.
_EVENTS = """
SELECT e.time AS time, e.name AS name,
    if(e.user_id != '', e.user_id, if(i.user_id != '', i.user_id, e.actor)) AS person
FROM {db:Identifier}.events AS e FINAL
LEFT JOIN (
    SELECT anonymous_id, argMax(user_id, linked_at) AS user_id
    FROM {db:Identifier}.identities GROUP BY anonymous_id
) AS i ON e.anonymous_id = i.anonymous_id
WHERE e.name IN {names:Array(String)} AND e.actor != '' AND empty(e.bot_signals)
    AND e.time >= {start:DateTime64(3, 'UTC')} AND e.time < {end:DateTime64(3, 'UTC')}
"""
_FUNNEL = """
SELECT level, count() AS people
FROM (
    SELECT person,
        windowFunnel({window_ms:UInt64})(toUInt64(toUnixTimestamp64Milli(time)), {steps}) AS level
    FROM ({events})
    GROUP BY person
)
WHERE level > 0
GROUP BY level
"""
# windowFunnel gives no times, so the same walk is folded over each person's events (in time
# order, one entry per step an event matches), keeping at each level the chain of step times
# that reached it: a first step starts a chain; step n extends the chain of step n - 1 if
# within the window of its start; the walk stops once the last step is reached. A person's
# chain is the one at their furthest level, which is windowFunnel's level.
_GAPS = """
SELECT n + 1 AS step, quantileExactInclusive(0.5)(gap) / 1000 AS median_s
FROM (
    SELECT arrayPopFront(arrayDifference(arrayLast(c -> notEmpty(c), chains))) AS gaps
    FROM (
        SELECT person, arrayFold(
            (acc, x) -> if(notEmpty(acc[{count:UInt8}]), acc,
                if(x.2 = 1, arrayMap((c, j) -> if(j = 1, [x.1], c), acc, arrayEnumerate(acc)),
                    if(notEmpty(acc[x.2 - 1]) AND x.1 <= acc[x.2 - 1][1] + {window_ms:UInt64},
                        arrayMap((c, j) -> if(j = x.2, arrayPushBack(acc[x.2 - 1], x.1), c),
                            acc, arrayEnumerate(acc)),
                        acc))),
            arraySort(groupArray((toUInt64(toUnixTimestamp64Milli(time)), index))),
            CAST(arrayWithConstant({count:UInt8}, []), 'Array(Array(UInt64))')) AS chains
        FROM ({events})
        ARRAY JOIN arrayFilter(
            n -> {step_names:Array(String)}[n] = name, arrayEnumerate({step_names:Array(String)})
        ) AS index
        GROUP BY person
    )
    WHERE notEmpty(gaps)
)
ARRAY JOIN gaps AS gap, arrayEnumerate(gaps) AS n
GROUP BY step
"""


def step_names() -> frozenset[str]:
    """What a step may name: a behaviour, or any event type (an order paid...)."""
    return frozenset(Action) | {spec.type for spec in registry.all()}


async def funnel(
    store: EventStore, steps: list[str], window: timedelta, start: datetime, end: datetime
) -> list[FunnelStep]:
    conditions = ", ".join(f"name = {{step_{n}:String}}" for n in range(len(steps)))
    params = {
        **{f"step_{n}": name for n, name in enumerate(steps)},
        "window_ms": int(window.total_seconds() * 1000),
        "names": sorted(set(steps)),
        "step_names": steps,
        "count": len(steps),
        "start": start,
        "end": end,
    }
    levels = await store.rows(
        _FUNNEL.replace("{events}", _EVENTS).replace("{steps}", conditions), params
    )
    gaps = await store.rows(_GAPS.replace("{events}", _EVENTS), params)
    return conversions(
        {row["level"]: row["people"] for row in levels},
        steps,
        {row["step"]: row["median_s"] for row in gaps},
    )
