"""Benchmark: analytics ingest through the collection API, and query latency over the store.

`python -m bench.analytics [--quick]`. Two parts, in one run:

- ingest: the analytics service (one uvicorn server in this process, a fresh PostgreSQL
  database for its outbox, dedup keys and store spool, chDB in a temporary directory, a
  Tansu broker) takes batches of behaviour events on `POST /collect` from an httpx client in
  a process of its own; events/s from the first request to the last event written into the
  store (collection's intake inserts them in bulk, ADR 0028), and to the last one published
  onto the behaviour topic by the relay (in batches of a request's events, ADR 0029); the
  service's CPU per 1,000 events, and of it the event loop's. Beside it, the stack's own
  limit: the same number of event rows inserted straight into chDB in batches of 500, which
  is the only essential I/O of the store's side of the path.
- queries: events generated inside ClickHouse (`INSERT ... SELECT FROM numbers()`: page
  views, product views, searches, add-to-carts, content views, shares, clicks and paid
  orders over 30 days, spread over the users) and the service's own queries run again and
  again: GMV by day (raw, and from the daily rollup), weekly cohorts, a 5-step and a 20-step
  funnel, and the first page of the operators' event list (all types, and one type); p50/p95
  in ms.

The issue's targets (ingest >= 5,000 events/s and >= 50% of the bare insert; GMV and
cohorts p95 < 200 ms; 20-step funnel p95 < 2 s) are for 10,000,000 events and 200,000
users; `--quick` runs 1,000,000 and 20,000, so its query figures do not test them. Ends
with one line `RESULT {json}`; the JSON is also written to bench/results/analytics.json.
"""

import argparse
import asyncio
import logging
import multiprocessing
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path

import asyncpg
import httpx
import uvloop

from bench.common import finish, machine, percentiles, revision
from chassis.broker import TansuBroker
from chassis.events.outbox import envelope_for
from chassis.events.relay import backlog
from chassis.ids import new_id
from chassis.pagination import PageRequest
from chassis.testing import ServiceServer
from contracts import load_contracts
from contracts.analytics import Action, BehaviourRecorded
from services.analytics.app import create_app
from services.analytics.cohorts.service import cohorts
from services.analytics.funnels.service import funnel
from services.analytics.metrics.ranges import Interval
from services.analytics.metrics.service import gmv, sales
from services.analytics.settings import Settings
from services.analytics.store import rollups
from services.analytics.store.clickhouse import ChdbStore, EventStore, close_embedded
from services.analytics.store.rows import BEHAVIOUR, ORDER_PAID, event_row
from services.analytics.store.service import list_events

POSTGRES = "postgresql://postgres@127.0.0.1:5432"
BATCH = 100  # events per collect request
CONCURRENCY = 8  # requests in flight
BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"
CONSUMER_BATCH = 500  # the consumer's poll size (chassis GroupConsumer max_poll_records)
DAYS = 30
START = datetime(2026, 10, 5, tzinfo=UTC)  # a Monday
NAMES = ["page_view", "product_view", "search", "add_to_cart", "content_view", "share", "click"]
FUNNEL_5 = ["page_view", "search", "product_view", "add_to_cart", ORDER_PAID]
FUNNEL_20 = [*(NAMES * 3)[:19], ORDER_PAID]
TARGETS = {
    "ingest_events_per_s_min": 5000,
    "ingest_share_of_bare_insert_min": 0.5,
    "gmv_by_day_p95_ms_max": 200,
    "weekly_cohorts_p95_ms_max": 200,
    "funnel_20_steps_p95_ms_max": 2000,
    "at_events": 10_000_000,
    "at_users": 200_000,
}


# ---------------------------------------------------------------------------------------------
# The load client: a process of its own, so it does not take the service's event loop.


def _client(conn: Connection, url: str, events: int, concurrency: int) -> None:
    conn.send(uvloop.run(_send(url, events, concurrency)))


async def _send(url: str, events: int, concurrency: int) -> dict:
    batches = [
        {
            "anonymous_id": f"bench-{n % 5000:05d}-anon",
            "events": [
                {
                    "client_event_id": f"e-{n}-{k}",
                    "name": NAMES[(n + k) % len(NAMES)],
                    "client_time": datetime.now(UTC).isoformat(),
                    "target": f"sku-{k}",
                }
                for k in range(BATCH)
            ],
        }
        for n in range(events // BATCH)
    ]
    accepted, errors = 0, 0
    queue = iter(batches)
    limits = httpx.Limits(max_connections=concurrency)
    # Storefront traffic comes from browsers: an HTTP library's own User-Agent would have
    # every event flagged as a bot's (kept all the same, but answered in `flagged`).
    headers = {"User-Agent": BROWSER}
    async with httpx.AsyncClient(
        base_url=url, limits=limits, timeout=60, headers=headers
    ) as client:

        async def worker() -> None:
            nonlocal accepted, errors
            for batch in queue:
                response = await client.post("/api/v1/analytics/collect", json=batch)
                if response.status_code == 202:
                    accepted += len(response.json()["accepted"])
                else:
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {"accepted": accepted, "errors": errors, "send_seconds": round(elapsed, 3)}


# ---------------------------------------------------------------------------------------------
# Ingest through the API, and the bare insert beside it.


async def _stored(store: EventStore) -> int:
    # The ingest database holds only the behaviour sent: the table's row count, which
    # ClickHouse answers from its parts' metadata, is that count without reading them (a
    # filtered count, polled every 0.1 s, took seconds of the store's time from the path).
    rows = await store.rows("SELECT count() AS n FROM {db:Identifier}.events")
    return rows[0]["n"]


async def ingest(events: int, chdb: Path, broker: TansuBroker) -> dict:
    name = f"bench_analytics_{new_id().hex[-12:]}"
    admin = await asyncpg.connect(f"{POSTGRES}/postgres")
    await admin.execute(f'CREATE DATABASE "{name}"')
    settings = Settings(
        database_url=f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}",
        kafka_bootstrap_servers=broker.bootstrap_servers,
        chdb_path=chdb,
        clickhouse_database="bench_ingest",
        consumer_session_timeout_ms=2000,
    )
    app = create_app(settings)
    logging.getLogger("flywheel.access").setLevel(logging.WARNING)  # a line per request
    server = await ServiceServer(app).start()
    store = app.state.store
    try:
        await _until_consuming(app)
        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe()
        client = context.Process(target=_client, args=(theirs, server.url, events, CONCURRENCY))
        started, cpu_started = time.perf_counter(), time.process_time()
        loop_started = time.thread_time()
        client.start()
        while await _stored(store) < events:
            if not client.is_alive() and not ours.poll() and client.exitcode:
                raise RuntimeError("the load client failed")
            await asyncio.sleep(0.1)
        elapsed = time.perf_counter() - started
        # The other modules read behaviour from its topic: the path ends when the relay has
        # published the last accepted event too.
        while await backlog(app.state.db, "analytics"):  # noqa: ASYNC110 - polls the database
            await asyncio.sleep(0.1)
        published = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        loop_cpu = time.thread_time() - loop_started
        sent = ours.recv()
        client.join(10)
    finally:
        await server.stop()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    return {
        "events": events,
        "seconds": round(elapsed, 3),
        "events_per_s": round(events / elapsed),
        "published_seconds": round(published, 3),
        "published_events_per_s": round(events / published),
        "accepted": sent["accepted"],
        "client_errors": sent["errors"],
        "collect_events_per_s": round(events / sent["send_seconds"]),
        # The service's CPU (all its threads, chDB's included; not the client's or the
        # broker's) per 1,000 events, until the last is published: steadier than events/s
        # on a shared machine.
        "cpu_ms_per_1000_events": round(cpu / events * 1_000_000, 1),
        # Of which the event loop's thread (the API, validation, the outbox and the relay;
        # not chDB's inserts, which run in other threads).
        "loop_cpu_ms_per_1000_events": round(loop_cpu / events * 1_000_000, 1),
    }


async def _until_consuming(app, within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    runtime = app.state.runtime
    while not (runtime.consumers and all(c.state == "running" for c in runtime.consumers)):
        if time.monotonic() > deadline:
            raise RuntimeError("the analytics consumer did not start")
        await asyncio.sleep(0.1)


async def bare_insert(events: int, chdb: Path) -> dict:
    """The same behaviour events' rows, built beforehand, straight into chDB in batches of
    the consumer's poll size: the store's side of the path and nothing else."""
    store = ChdbStore(chdb, f"bench_bare_{new_id().hex[-8:]}")
    await store.ensure_schema()
    at = datetime.now(UTC)
    rows = [
        event_row(
            envelope_for(
                BehaviourRecorded(
                    behaviour_id=new_id(),
                    actor=f"bench-{n % 5000:05d}-anon",
                    anonymous_id=f"bench-{n % 5000:05d}-anon",
                    client_event_id=f"e-{n}-{k}",
                    action=Action(NAMES[(n + k) % len(NAMES)]),
                    target=f"sku-{k}",
                    occurred_at=at,
                ),
                source="/flywheel/analytics",
            )
        )
        for n in range(events // BATCH)
        for k in range(BATCH)
    ]
    started = time.perf_counter()
    for first in range(0, len(rows), CONSUMER_BATCH):
        await store.insert("events", rows[first : first + CONSUMER_BATCH])
    elapsed = time.perf_counter() - started
    await store.execute("DROP DATABASE {db:Identifier}")
    return {
        "events": len(rows),
        "seconds": round(elapsed, 3),
        "events_per_s": round(len(rows) / elapsed),
    }


# ---------------------------------------------------------------------------------------------
# Queries over generated events.

_GENERATE = """
INSERT INTO {db:Identifier}.events
    (id, type, name, source, subject, time, actor, user_id, anonymous_id, amount, currency, data)
SELECT
    generateUUIDv7(number) AS id,
    if(kind = 7, {paid:String}, {behaviour:String}) AS type,
    if(kind = 7, {paid:String}, {names:Array(String)}[kind + 1]) AS name,
    if(kind = 7, '/flywheel/orders', '/flywheel/analytics') AS source,
    person AS subject,
    fromUnixTimestamp64Milli(
        toInt64({start_ms:Int64} + cityHash64(number, 1) % {span_ms:UInt64}), 'UTC'
    ) AS time,
    person AS actor,
    person AS user_id,
    '' AS anonymous_id,
    if(kind = 7, 1000 + cityHash64(number, 3) % 50000, 0) AS amount,
    if(kind = 7, 'CNY', '') AS currency,
    '{}' AS data
FROM (
    SELECT number,
        concat('u', toString(cityHash64(number, 2) % {users:UInt64})) AS person,
        multiIf(p < 40, 0, p < 62, 1, p < 72, 2, p < 84, 3, p < 90, 4, p < 93, 5, p < 96, 6, 7)
            AS kind
    FROM (SELECT number, cityHash64(number) % 100 AS p FROM numbers({count:UInt64}))
)
"""


async def generate(store: EventStore, events: int, users: int) -> float:
    started = time.perf_counter()
    await store.execute(
        _GENERATE,
        {
            "paid": ORDER_PAID,
            "behaviour": BEHAVIOUR,
            "names": NAMES,
            "start_ms": int(START.timestamp() * 1000),
            "span_ms": DAYS * 86_400_000,
            "users": users,
            "count": events,
        },
    )
    await store.execute("OPTIMIZE TABLE {db:Identifier}.events FINAL")
    await rollups.rebuild(store)  # what the writer keeps as the events come
    return round(time.perf_counter() - started, 1)


async def queries(store: EventStore, runs: int) -> dict:
    end = START + timedelta(days=DAYS)
    window = timedelta(days=1)
    cases = {
        "gmv_by_day": lambda: sales(store, START, end, Interval.DAY),
        "gmv_rollup_by_day": lambda: gmv(store, START.date(), end.date(), Interval.DAY),
        "weekly_cohorts": lambda: cohorts(store, START.date(), date(2026, 11, 2), 4),
        "funnel_5_steps": lambda: funnel(store, FUNNEL_5, window, START, end),
        "funnel_20_steps": lambda: funnel(store, FUNNEL_20, window, START, end),
        "event_list_page": lambda: _first_page(store),
        "event_list_by_type": lambda: _first_page(store, ORDER_PAID),
    }
    figures = {}
    for name, query in cases.items():
        answer = await query()  # warm: the first run reads the parts from disk
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            await query()
            samples.append(time.perf_counter() - started)
        figures[name] = percentiles(samples) | {"answer": _summary(answer)}
    return figures


async def _first_page(store: EventStore, type: str | None = None) -> list:
    rows, _ = await list_events(store, type=type, subject=None, page=PageRequest())
    return rows


def _summary(answer) -> str:
    if answer and hasattr(answer[0], "people"):
        return "people per step: " + ", ".join(str(step.people) for step in answer)
    if answer and hasattr(answer[0], "buyers"):
        return "cohort buyers: " + ", ".join(str(c.buyers) for c in answer)
    if answer and isinstance(answer[0], dict):
        return f"{len(answer)} events"
    return f"{len(answer)} points"


# ---------------------------------------------------------------------------------------------


async def run(args) -> dict:
    with (
        tempfile.TemporaryDirectory() as tmp,
        TansuBroker(topics=load_contracts().topics()) as broker,
    ):
        chdb = Path(tmp) / "chdb"
        try:
            bare = await bare_insert(args.events, chdb)
            through_api = await ingest(args.events, chdb, broker)
            # Generating millions of rows on a loaded machine may take minutes.
            store = ChdbStore(chdb, f"bench_queries_{new_id().hex[-8:]}", timeout=900)
            await store.ensure_schema()
            generated_in = await generate(store, args.generated, args.users)
            figures = await queries(store, args.runs)
            await store.execute("DROP DATABASE {db:Identifier}")
        finally:
            close_embedded()
    share = through_api["events_per_s"] / bare["events_per_s"]
    full_scale = args.generated >= TARGETS["at_events"] and args.users >= TARGETS["at_users"]
    met = {
        "ingest_events_per_s": through_api["events_per_s"] >= TARGETS["ingest_events_per_s_min"],
        "ingest_share_of_bare_insert": share >= TARGETS["ingest_share_of_bare_insert_min"],
    }
    if full_scale:
        met |= {
            "gmv_by_day_p95": figures["gmv_by_day"]["p95"] < TARGETS["gmv_by_day_p95_ms_max"],
            "weekly_cohorts_p95": figures["weekly_cohorts"]["p95"]
            < TARGETS["weekly_cohorts_p95_ms_max"],
            "funnel_20_steps_p95": figures["funnel_20_steps"]["p95"]
            < TARGETS["funnel_20_steps_p95_ms_max"],
        }
    return {
        "benchmark": "analytics",
        "quick": args.quick,
        "machine": machine(),
        "revision": revision(("chassis", "services/analytics")),
        "client": f"httpx in its own process, {CONCURRENCY} requests in flight, "
        f"{BATCH} events each",
        "ingest": through_api | {"share_of_bare_insert": round(share, 3)},
        "bare_insert": bare,
        "queries": {
            "events": args.generated,
            "users": args.users,
            "days": DAYS,
            "generated_in_s": generated_in,
            "runs": args.runs,
            **figures,
        },
        "targets": TARGETS,
        "met": met,
        "full_scale": full_scale,
    }


def _print(result: dict) -> None:
    ingest_, bare, q = result["ingest"], result["bare_insert"], result["queries"]
    print(f"machine: {result['machine']['summary']}; revision {result['revision']}")
    print(f"client: {result['client']}")
    print(f"\n{'ingest':<58}{'events/s':>12}{'seconds':>10}")
    print(
        f"{'collect API -> chDB (spooled, inserted in bulk)':<58}"
        f"{ingest_['events_per_s']:>12,}{ingest_['seconds']:>10}"
    )
    print(
        f"{'  and published onto the behaviour topic (outbox, relay)':<58}"
        f"{ingest_['published_events_per_s']:>12,}{ingest_['published_seconds']:>10}"
    )
    print(
        f"{'  of which the API alone (requests answered)':<58}"
        f"{ingest_['collect_events_per_s']:>12,}"
    )
    print(
        f"{'bare limit: the same rows inserted into chDB, 500 a batch':<58}"
        f"{bare['events_per_s']:>12,}{bare['seconds']:>10}"
    )
    print(f"{'share of the bare limit':<58}{ingest_['share_of_bare_insert']:>12.1%}")
    print(
        f"{'service CPU per 1,000 events through the API (ms)':<58}"
        f"{ingest_['cpu_ms_per_1000_events']:>12,}"
    )
    print(
        f"{'  of which the event loop (API, outbox, relay; not chDB)':<58}"
        f"{ingest_['loop_cpu_ms_per_1000_events']:>12,}"
    )
    print(
        f"\nqueries over {q['events']:,} generated events, {q['users']:,} users, {q['days']} days "
        f"(generated in {q['generated_in_s']} s), {q['runs']} runs each"
    )
    print(f"{'query':<22}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}  answer")
    for name in (
        "gmv_by_day",
        "gmv_rollup_by_day",
        "weekly_cohorts",
        "funnel_5_steps",
        "funnel_20_steps",
        "event_list_page",
        "event_list_by_type",
    ):
        f = q[name]
        print(f"{name:<22}{f['p50']:>10}{f['p95']:>10}{f['max']:>10}  {f['answer']}")
    scale = "" if result["full_scale"] else " (query targets not judged: not at full scale)"
    print(
        "\ntargets met: "
        + ", ".join(f"{k} {'yes' if v else 'NO'}" for k, v in result["met"].items())
        + scale
    )


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.analytics", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="a short run (about a minute)")
    parser.add_argument("--events", type=int, help="events sent through the collection API")
    parser.add_argument("--generated", type=int, help="events generated for the queries")
    parser.add_argument("--users", type=int, help="users the generated events spread over")
    parser.add_argument("--runs", type=int, help="runs of each query")
    args = parser.parse_args(argv)
    args.events = args.events or (20_000 if args.quick else 200_000)
    args.generated = args.generated or (1_000_000 if args.quick else TARGETS["at_events"])
    args.users = args.users or (20_000 if args.quick else TARGETS["at_users"])
    args.runs = args.runs or (5 if args.quick else 20)
    result = uvloop.run(run(args))
    _print(result)
    finish("analytics", result)


if __name__ == "__main__":
    main(sys.argv[1:])
