"""Funnel queries: windowFunnel's walk over each person's events, replayed with array
functions to give both how far each person got and when they took each step, in one
query."""

from datetime import datetime, timedelta
from string import Template

from chassis.events import registry
from contracts.analytics import Action
from services.analytics.funnels.schemas import FunnelStep
from services.analytics.funnels.steps import conversions
from services.analytics.store.clickhouse import EventStore
from services.analytics.store.rows import BEHAVIOUR

# A person is the user, or the user an anonymous id was linked to, or else that anonymous id.
# Signed-in events are read apart from anonymous ones, so that only the anonymous ones go
# through the identity join and its choice of person (on every event, a third of the
# reading). The split on `user_id` is read first (PREWHERE), which FINAL's copies of one
# event (rows of the same envelope) agree on; the range and the steps' types, the sorting
# key's prefix, narrow the granules read (as PREWHERE they cost more than they saved).
_SIDE = """
    SELECT toUInt64(toUnixTimestamp64Milli(e.time)) AS ts, e.name AS name, {person} AS person
    FROM {db:Identifier}.events AS e FINAL{join}
    PREWHERE e.user_id {side} ''
    WHERE e.type IN {types:Array(String)} AND e.name IN {names:Array(String)}
        AND e.time >= {start:DateTime64(3, 'UTC')} AND e.time < {end:DateTime64(3, 'UTC')}
        AND e.actor != '' AND empty(e.bot_signals)
"""
_IDENTITIES = """
    LEFT JOIN (
        SELECT anonymous_id, argMax(user_id, linked_at) AS user_id
        FROM {db:Identifier}.identities GROUP BY anonymous_id
    ) AS i ON e.anonymous_id = i.anonymous_id"""
_EVENTS = (
    _SIDE.replace("{person}", "e.user_id").replace("{join}", "").replace("{side}", "!=")
    + "    UNION ALL"
    + _SIDE.replace("{person}", "if(i.user_id != '', i.user_id, e.actor)")
    .replace("{join}", _IDENTITIES)
    .replace("{side}", "=")
)
# The walk is windowFunnel's (default mode), replayed a step at a time with array functions
# (vectorized; arrayFold's per-element lambda was 10 to 50 times slower), which gives the
# times of each step as well as the furthest step: windowFunnel keeps, for each step, the
# chain that reached it last, and a chain at step k + 1 extends the chain that was at step
# k at that moment (the latest one before it, a step's own time first on a tie), if within
# the window of that chain's first event. So, per step k, `e_k` are the times at which
# chains reached k, in time order, their first times (in `c_k`, below) and `p_k` which
# chain of step k - 1 each extended: the candidates of step k + 1 (the person's events of
# that step) are merged with the chains of step k in time order, each candidate takes the
# chain before it (`arrayFill` carries the chain's number and first time forward), and
# those within its window extend it. A person is at the last step whose chains are not
# empty (`level`); their chain is the last one at it (the first one at the funnel's last
# step, where windowFunnel stops), followed back through `p`, and its differences are the
# gaps.
# No lambda reads a column it is not given as an argument: ClickHouse copies a captured
# array for every element of the array mapped (a person's chains times their events, per
# step), which was most of the query's time. windowFunnel itself is not called: on
# 10,000,000 events its twenty conditions cost more than the whole replay, which finds the
# same steps (tests/analytics/test_queries.py holds it to windowFunnel's count). Each step
# is a subquery of its own: as aliases of one SELECT, each step's expressions would be
# inlined into the next one's, a tree that doubles with every step.
# The grouping per person is kept one-level (`group_by_two_level_threshold` off): past
# 100,000 people a two-level hash table answers in its 256 buckets, blocks of about 800
# people, and every step's array functions then run 256 times over small blocks instead of
# a few times over large ones (about 0.03 s a step on 200,000 people, even a step nobody
# reaches). Merging the threads' tables in one level costs nothing measurable here.
_FUNNEL = """
SELECT sumForEach(arrayWithConstant(level, 1)) AS reached,
    quantileExactInclusiveForEach(0.5)(
        arrayMap(g -> toFloat64(g), arrayPopFront(arrayDifference(chain)))
    ) AS median_ms
FROM (
    SELECT level, {chosen},
        arraySlice([{chain}], 1, level) AS chain
    FROM ({steps})
)
SETTINGS query_plan_merge_expressions = 0,
    group_by_two_level_threshold = 0, group_by_two_level_threshold_bytes = 0
"""
# Each chain and candidate of a step is one UInt128, so that a step's merge is a sort of
# plain numbers (tuples sorted at about twice the CPU, and every function after the sort
# built tuples again): from the top, the time * 2 (+ 1 for a candidate: a chain that reached
# step k at a candidate's time sorts before it), the chain's first time, and its number at
# step k, from 1 (a candidate's is 0: `toUInt32`, which keeps the low 32 bits, tells a
# chain from a candidate and gives a chain's number). Chains with one time sort by number,
# as they must (the latest last): a chain's first time never decreases with its number, as
# each step's candidates take, in time order, the latest chain before them. Times are
# milliseconds since 1970 below 2^44 (year 2527; DateTime64(3) ends in 2299), numbers below
# 2^32.
_TIME, _FIRST = 77, 32  # bit offsets of the time * 2 + candidate, and of the first time
_CANDIDATE = 1 << (_TIME - 1)
_BELOW_TIME = (1 << (_TIME - 1)) - 1  # the first time and the number
_FIRST_TIME = (1 << (_TIME - 1 - _FIRST)) - 1  # shifted right by _FIRST
# A candidate's time and first time, as a chain's (its number then added).
_KEEP = ((1 << 128) - 1) ^ _CANDIDATE ^ ((1 << _FIRST) - 1)
_FIRST_STEP = Template("""
    SELECT 1 AS level, {times}, {first} AS e_1,
        arrayMap(
            (t, n) -> bitOr(
                bitOr(bitShiftLeft(toUInt128(t), $time), bitShiftLeft(toUInt128(t), $first)),
                toUInt128(n)),
            {first}, arrayEnumerate({first})) AS c_1
    FROM (
        SELECT person,
            {grouped}
        FROM ({events})
        GROUP BY person
    )
    WHERE notEmpty({first})
""").substitute(time=_TIME, first=_FIRST)
# `c_k` are the chains at step k as above, `e_k` their times and `p_k` the number of the
# chain of step k - 1 each extended. The candidates are merged with the chains in one sort;
# `arrayFill` gives each candidate the chain before it, and a candidate within that chain's
# window becomes a chain of step k + 1: its own time, the chain's first time and, for
# `p_{k + 1}`, the chain's number. Each array is a column of the subquery below the one that
# reads it, never an alias read twice: the analyzer copies an alias's expression into every
# place that names it.
_NEXT_STEP = Template("""
    SELECT if(notEmpty(extended), {next}, level) AS level, {times}, {kept},
        arrayMap(x -> toUInt64(bitShiftRight(x, $time)), extended) AS e_{next},
        arrayMap(x -> toUInt32(x), extended) AS p_{next},
        arrayMap((x, n) -> bitOr(bitAnd(x, toUInt128('$keep')), toUInt128(n)),
            extended, arrayEnumerate(extended)) AS c_{next}
    FROM (
        SELECT *,
            arrayFilter(x -> x != 0, arrayMap(
                (x, chain) -> if(
                    toUInt32(x) = 0 AND toUInt32(chain) != 0
                        AND bitShiftRight(x, $time) <= bitAnd(bitShiftRight(chain, $first),
                            $first_time) + {{window_ms:UInt64}},
                    bitOr(x, bitAnd(chain, toUInt128('$below_time'))), toUInt128(0)),
                merged,
                arrayFill(x -> toUInt32(x) != 0, merged))) AS extended
        FROM (
            SELECT *,
                arraySort(arrayConcat(c_{k},
                    -- Only people who reached step k have a step k + 1 to replay.
                    arrayMap(
                        t -> bitOr(bitShiftLeft(toUInt128(t), $time), toUInt128('$candidate')),
                        if(level = {k}, {candidates}, [])))) AS merged
            FROM ({{previous}})
        )
    )
""").substitute(
    time=_TIME,
    first=_FIRST,
    candidate=_CANDIDATE,
    below_time=_BELOW_TIME,
    first_time=_FIRST_TIME,
    keep=_KEEP,
)


def step_types(steps: list[str]) -> list[str]:
    """The event types whose events may be `steps`: a behaviour's, or the step's own."""
    return sorted({BEHAVIOUR if step in frozenset(Action) else step for step in steps})


def step_names() -> frozenset[str]:
    """What a step may name: a behaviour, or any event type (an order paid...)."""
    return frozenset(Action) | {spec.type for spec in registry.all()}


def funnel_sql(steps: list[str]) -> str:
    """The one query of a funnel of `steps`."""
    names = sorted(set(steps))
    times = [f"t_{names.index(step)}" for step in steps]
    columns = ", ".join(f"t_{j}" for j in range(len(names)))
    query = (
        _FIRST_STEP.replace("{times}", columns)
        .replace("{first}", times[0])
        .replace(
            "{grouped}",
            ",\n            ".join(
                f"arraySort(groupArrayIf(ts, name = {{name_{j}:String}})) AS t_{j}"
                for j in range(len(names))
            ),
        )
        .replace("{events}", _EVENTS)
    )
    for k in range(1, len(steps)):
        kept = ", ".join(["e_1", *(f"e_{j}, p_{j}" for j in range(2, k + 1))])
        query = _NEXT_STEP.format(
            k=k, next=k + 1, times=columns, candidates=times[k], kept=kept
        ).replace("{previous}", query)
    # The chain a person is counted by, from the furthest step back: its number at each step
    # (0 past the furthest), and its time there.
    last = len(steps)
    chosen = [f"if(level = {last}, 1, 0) AS i_{last}"] + [
        f"if(level = {k}, length(e_{k}), if(level > {k}, p_{k + 1}[i_{k + 1}], 0)) AS i_{k}"
        for k in range(last - 1, 0, -1)
    ]
    chain = ", ".join(f"e_{k}[i_{k}]" for k in range(1, last + 1))
    return (
        _FUNNEL.replace("{chosen}", ", ".join(chosen))
        .replace("{chain}", chain)
        .replace("{steps}", query)
    )


async def funnel(
    store: EventStore, steps: list[str], window: timedelta, start: datetime, end: datetime
) -> list[FunnelStep]:
    names = sorted(set(steps))
    params = {
        **{f"name_{j}": name for j, name in enumerate(names)},
        "window_ms": int(window.total_seconds() * 1000),
        "names": names,
        "types": step_types(steps),
        "start": start,
        "end": end,
    }
    [row] = await store.rows(funnel_sql(steps), params)
    reached = row["reached"] + [0] * (len(steps) - len(row["reached"]))
    levels = {
        number: reached[number - 1] - (reached[number] if number < len(steps) else 0)
        for number in range(1, len(steps) + 1)
    }
    medians = {n + 2: ms / 1000 for n, ms in enumerate(row["median_ms"])}
    return conversions(levels, steps, medians)
