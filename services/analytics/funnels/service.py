"""Funnel queries: ClickHouse's windowFunnel over each person's events."""

from datetime import datetime, timedelta

from chassis.events import registry
from contracts.analytics import Action
from services.analytics.funnels.schemas import FunnelStep
from services.analytics.funnels.steps import conversions
from services.analytics.store.clickhouse import EventStore

# A person is the user, or the user an anonymous id was linked to, or else that anonymous id.
_FUNNEL = """
SELECT level, count() AS people
FROM (
    SELECT person,
        windowFunnel({window_ms:UInt64})(toUInt64(toUnixTimestamp64Milli(time)), {steps}) AS level
    FROM (
        SELECT e.time AS time, e.name AS name,
            if(e.user_id != '', e.user_id, if(i.user_id != '', i.user_id, e.actor)) AS person
        FROM {db:Identifier}.events AS e FINAL
        LEFT JOIN (
            SELECT anonymous_id, argMax(user_id, linked_at) AS user_id
            FROM {db:Identifier}.identities GROUP BY anonymous_id
        ) AS i ON e.anonymous_id = i.anonymous_id
        WHERE e.name IN {names:Array(String)} AND e.actor != ''
            AND e.time >= {start:DateTime64(3, 'UTC')} AND e.time < {end:DateTime64(3, 'UTC')}
    )
    GROUP BY person
)
WHERE level > 0
GROUP BY level
"""


def step_names() -> frozenset[str]:
    """What a step may name: a behaviour, or any event type (an order paid...)."""
    return frozenset(Action) | {spec.type for spec in registry.all()}


async def funnel(
    store: EventStore, steps: list[str], window: timedelta, start: datetime, end: datetime
) -> list[FunnelStep]:
    conditions = ", ".join(f"name = {{step_{n}:String}}" for n in range(len(steps)))
    params = {f"step_{n}": name for n, name in enumerate(steps)}
    rows = await store.rows(
        _FUNNEL.replace("{steps}", conditions),
        {
            **params,
            "window_ms": int(window.total_seconds() * 1000),
            "names": sorted(set(steps)),
            "start": start,
            "end": end,
        },
    )
    return conversions({row["level"]: row["people"] for row in rows}, steps)
