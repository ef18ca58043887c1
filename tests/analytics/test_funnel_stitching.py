"""A funnel over stitched identities counts each person as if every event had been resolved
to its person first: the query's own reading (which resolves people after narrowing and
splitting the events) against the same store rewritten with each event's person in it."""

from datetime import UTC, datetime, timedelta

import pytest

from chassis.ids import new_id
from services.analytics.funnels.service import funnel
from services.analytics.store.clickhouse import ChdbStore
from services.analytics.store.rows import BEHAVIOUR, ORDER_PAID, USER_REGISTERED

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
NAMES = ["page_view", "product_view", "search", "add_to_cart"]

# 600 people on a one-minute grid over three hours (many events share a time):
# 0-199 signed in (some events carry an anonymous id, which must not stitch them),
# 200-399 stitched (anonymous events under a-<n>, linked to u-<n>; signed-in events too),
# 400-599 anonymous and never linked. A few per cent are a bot's, of a type no step names
# (whose name is a step's), or outside the range; the first 400 are stored twice (FINAL).
_EVENTS = """
INSERT INTO {db:Identifier}.events
    (id, type, name, source, subject, time, actor, user_id, anonymous_id, data, bot_signals)
SELECT generateUUIDv7(number) AS id,
    multiIf(kind = 1, {paid:String}, kind = 2, {registered:String}, {behaviour:String}),
    multiIf(kind = 1, {paid:String}, kind = 2, {names:Array(String)}[1],
        {names:Array(String)}[1 + cityHash64(number, 1) % 4]),
    '/test', actor,
    {start:DateTime64(3, 'UTC')} + toIntervalMinute(cityHash64(number, 2) % 180)
        + toIntervalDay(if(cityHash64(number, 4) % 50 = 0, 3, 0)),
    actor, user_id, anonymous_id, '{}',
    if(cityHash64(number, 5) % 40 = 0, ['rate'], [])
FROM (
    SELECT number, p, kind,
        p < 200 OR (p < 400 AND signed_in) OR kind != 0 AS known,
        if(known, concat('u-', toString(p)), '') AS user_id,
        if(kind != 0 OR (p < 200 AND NOT signed_in), '', concat('a-', toString(p)))
            AS anonymous_id,
        if(known, user_id, anonymous_id) AS actor
    FROM (
        SELECT number, cityHash64(number, 3) % 600 AS p,
            cityHash64(number, 6) % 3 = 0 AS signed_in,
            multiIf(p >= 400, 0, cityHash64(number, 7) % 25 = 0, 1,
                cityHash64(number, 7) % 25 = 1, 2, 0) AS kind
        FROM numbers({count:UInt64})
    )
)
"""
# Stitched people's links (an older link to someone else first: the latest wins), and an
# anonymous id that is a signed-in user's id, linked to another user: only its anonymous
# events move (the signed-in user's own events stay theirs).
_LINKS = """
INSERT INTO {db:Identifier}.identities (anonymous_id, user_id, linked_at)
SELECT concat('a-', toString(p)), concat('u-', toString(p + (k = 0))),
    {start:DateTime64(3, 'UTC')} + toIntervalSecond(k)
FROM (SELECT 200 + intDiv(number, 2) AS p, number % 2 AS k FROM numbers(400))
UNION ALL SELECT 'u-5', 'u-7', {start:DateTime64(3, 'UTC')}
"""
_SQUATTER = """
INSERT INTO {db:Identifier}.events (id, type, name, source, subject, time, actor, user_id,
    anonymous_id, data)
SELECT generateUUIDv7(1000000 + number), {behaviour:String}, {names:Array(String)}[1 + number % 4],
    '/test', 'u-5', {start:DateTime64(3, 'UTC')} + toIntervalMinute(number * 3), 'u-5', '',
    'u-5', '{}'
FROM numbers(12)
"""
# The same events, each under the person it belongs to (the user, the user its anonymous
# id was last linked to, else the anonymous id), with no anonymous ids and no links.
_RESOLVED = """
INSERT INTO {db:Identifier}.events
SELECT * EXCEPT (person) REPLACE (
    if(actor = '', '', person) AS actor, if(actor = '', '', person) AS user_id, '' AS anonymous_id
)
FROM (
    SELECT e.*, if(e.user_id != '', e.user_id, if(i.user_id != '', i.user_id, e.actor)) AS person
    FROM {source:Identifier}.events AS e FINAL
    LEFT JOIN (
        SELECT anonymous_id, argMax(user_id, linked_at) AS user_id
        FROM {source:Identifier}.identities GROUP BY anonymous_id
    ) AS i ON e.anonymous_id = i.anonymous_id
)
"""
_ACTORS = """
SELECT uniqExact(actor) AS n FROM {db:Identifier}.events FINAL
WHERE name = {first:String} AND actor != '' AND empty(bot_signals)
"""


@pytest.fixture
async def resolved(chdb_dir):
    running = ChdbStore(chdb_dir, f"test_{new_id().hex[-12:]}")
    await running.ensure_schema()
    yield running
    await running.execute("DROP DATABASE IF EXISTS {db:Identifier}")


@pytest.mark.parametrize(
    ("steps", "window"),
    [
        (["page_view", "product_view", "add_to_cart", "search"], timedelta(minutes=20)),
        (["page_view", "search", "page_view", ORDER_PAID], timedelta(hours=1)),
        ([*NAMES, *NAMES, "page_view"], timedelta(hours=2)),
    ],
)
async def test_a_stitched_funnel_counts_what_one_resolved_per_event_counts(
    store, resolved, steps, window
):
    kinds = {"paid": ORDER_PAID, "registered": USER_REGISTERED, "behaviour": BEHAVIOUR}
    params = kinds | {"names": NAMES, "start": START}
    await store.execute(_EVENTS, params | {"count": 30_000})
    await store.execute(_EVENTS, params | {"count": 400})  # stored again
    await store.execute(_LINKS, {"start": START})
    await store.execute(_SQUATTER, params)
    await resolved.execute(_RESOLVED, {"source": store.database})

    begin, end = START - timedelta(hours=1), START + timedelta(days=1)
    stitched = await funnel(store, steps, window, begin, end)
    expected = await funnel(resolved, steps, window, begin, end)
    assert [(s.people, s.median_seconds_from_previous) for s in stitched] == [
        (s.people, s.median_seconds_from_previous) for s in expected
    ]
    # The case is one: people were stitched, and they went several steps.
    [actors] = await store.rows(_ACTORS, {"first": steps[0]})
    assert stitched[0].people < actors["n"]
    assert stitched[2].people > 0
