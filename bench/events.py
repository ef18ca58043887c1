"""Benchmark: the event backbone end to end — outbox, relay, broker, idempotent consumer.

`python -m bench.events [--quick]`. A Tansu broker and two fresh PostgreSQL databases (one
per service, dropped at the end). A "producer service" process runs writer tasks, each
committing state changes (upserts of item rows) and their events (`outbox.add_all`) in one
transaction, and the chassis `OutboxRelay` publishing the outbox; a "consumer service"
process runs the chassis `GroupConsumer`, whose handler writes an effect row in the same
transaction as the inbox row. The two services are separate processes (spawned), each on
its own uvloop event loop, as they would be in production.

Phases:
- baselines, the stack's own limit: raw aiokafka produce -> consume of the same messages
  between the same two processes without databases, and one-row PostgreSQL commits/s;
- throughput, twice: N changes as fast as the writers commit them, first one change per
  transaction (what an API call does), then in bulk transactions (`--bulk` changes each,
  what an import or a bulk repricing does); events/s from the start of writing to the last
  effect committed by the consumer, the write rate alone, the outbox backlog's peak, the
  relay's batches, and the CPU time each process (the two services, the broker, their
  PostgreSQL backends) spent per event, read from /proc;
- latency: a fixed offered rate (paced open loop: each change starts at its scheduled
  time, whatever the state of the earlier ones); commit -> effect latency per event, from
  `committed_at` (stamped in the payload just before the producer commits) to the moment
  the consumer's transaction has committed, split where the relay had the event
  acknowledged by the broker (the outbox row's `published_at`). When the offered rate is
  beyond what the path sustains, the same again at half the measured throughput.

Ends with one line `RESULT {json}`; the JSON is also written to bench/results/events.json.
"""

import argparse
import asyncio
import contextlib
import logging
import multiprocessing
import os
import sys
import time
from collections.abc import Callable
from datetime import datetime
from multiprocessing.connection import Connection
from pathlib import Path
from uuid import UUID

import asyncpg
import uvloop
from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import Column, Integer, MetaData, Table, Uuid, func, select
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from bench.common import finish, machine, percentiles, revision
from chassis.broker import TansuBroker
from chassis.clock import now
from chassis.db import Database, UtcDateTime
from chassis.events import EventData, event, kafka, outbox
from chassis.events.consumer import GroupConsumer
from chassis.events.handlers import Handler
from chassis.events.relay import OutboxRelay
from chassis.events.tables import inbox, messaging_metadata
from chassis.events.tables import outbox as outbox_table
from chassis.ids import new_id

TOPIC = "flywheel.bench.item"
RAW_TOPIC = "flywheel.bench.raw"  # the baseline's messages, apart from the group's topic
EVENT_TYPE = "flywheel.bench.item.changed.v1"
GROUP = "bench-sink"
APPLIED = "bench.applied"  # session.info key: events whose effects this session holds
PARTITIONS = 3  # the chassis default (ServiceSettings.topic_partitions)
POSTGRES = "postgresql://postgres@127.0.0.1:5432"
ITEMS = 1000  # distinct aggregates; consecutive changes touch different items
WRITERS = 8
BULK = 100  # changes per transaction in the bulk phase
RELAY_BATCH = 500
POOL = 20  # the connections a chassis Database keeps open on PostgreSQL (its pool_size)
TARGETS = {"events_per_s_min": 3000, "p99_ms_max": 250.0, "offered_rate_per_s": 500}


@event(EVENT_TYPE, topic=TOPIC, key="item_id")
class ItemChanged(EventData):
    """An item of the benchmark service changed; `committed_at` is stamped just before commit."""

    item_id: UUID
    version: int
    committed_at: datetime


# The producer service's own table: the state that changes.
producer_metadata = MetaData()
items = Table(
    "items",
    producer_metadata,
    Column("id", Uuid, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)
_upsert = pg_insert(items)
# The state change, built once (as a careful service would): insert the item or bump it.
_bump = _upsert.on_conflict_do_update(
    index_elements=[items.c.id],
    set_={"version": items.c.version + 1, "updated_at": _upsert.excluded.updated_at},
)
BUMP = _bump.returning(items.c.version)
# Many at once: one multi-row statement. Rows come back in no set order, hence the id (asking
# for parameter order would make SQLAlchemy send the rows one by one: no sentinel column).
BUMP_MANY = _bump.returning(items.c.id, items.c.version)
commit_probe = Table(  # the one-row commit baseline writes here
    "commit_probe",
    producer_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("n", Integer, nullable=False),
)


# The consumer service's own table: one row per applied event (a read model would upsert;
# a row per event also proves that no event had two effects).
class ConsumerBase(DeclarativeBase):
    pass


class ItemEffect(ConsumerBase):
    __tablename__ = "item_effects"
    item_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    committed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    applied_at: Mapped[datetime] = mapped_column(UtcDateTime)


# ---------------------------------------------------------------------------------------------
# Child processes: each serves commands from the parent over a pipe, on its own event loop.


async def _serve(conn: Connection, commands: dict[str, Callable]) -> None:
    loop = asyncio.get_running_loop()
    conn.send("ready")
    while True:
        kind, args = await loop.run_in_executor(None, conn.recv)
        if kind == "stop":
            conn.send("stopped")
            return
        try:
            conn.send(await commands[kind](**args))
        except Exception as error:
            conn.send({"error": repr(error)})


class CountingRelay(OutboxRelay):
    """The chassis relay, counting the batches it publishes."""

    batches = 0
    rows = 0

    async def publish_batch(self) -> int:
        published = await super().publish_batch()
        if published:
            self.batches += 1
            self.rows += published
        return published


class ProducerService:
    """The writing service: writer tasks, its outbox relay, and the baselines' sending side."""

    def __init__(self, url: str, bootstrap: str, relay_batch: int) -> None:
        self.db = Database(url, service="bench")
        self.url = url
        self.bootstrap = bootstrap
        self.relay_batch = relay_batch
        self.items = [new_id() for _ in range(ITEMS)]
        self.seq = 0

    async def run(self, conn: Connection) -> None:
        self.producer = kafka.producer(self.bootstrap)
        await self.producer.start()
        self.relay = CountingRelay(
            self.db, self.producer, service="bench", batch_size=self.relay_batch
        )
        relay_task = asyncio.create_task(self.relay.run())
        try:
            await _serve(
                conn,
                {
                    "write": self.write,
                    "paced": self.paced,
                    "raw_produce": self.raw_produce,
                    "pg_commits": self.pg_commits,
                    "relay_stats": self.relay_stats,
                },
            )
        finally:
            relay_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await relay_task
            await self.producer.stop()
            await self.db.dispose()

    async def relay_stats(self) -> dict:
        """Batches and rows the relay published since the last call."""
        stats = {"batches": self.relay.batches, "rows": self.relay.rows}
        self.relay.batches = self.relay.rows = 0
        return stats

    async def change(self, size: int = 1) -> tuple[float, float]:
        """`size` state changes and their events in one transaction (one: an API call; more:
        a bulk operation such as a repricing); (stamp, commit done) times."""
        first = self.seq
        self.seq += size
        ids = [self.items[i % ITEMS] for i in range(first, first + size)]
        stamp = now()
        fields = {"version": 1, "updated_at": stamp}
        async with self.db.session() as session:
            if size == 1:
                versions = [await session.scalar(BUMP, {"id": ids[0], **fields})]
            else:
                rows = [{"id": item_id, **fields} for item_id in ids]
                bumped = dict((await session.execute(BUMP_MANY, rows)).tuples().all())
                versions = [bumped[item_id] for item_id in ids]
            stamp = now()
            changes = [
                ItemChanged(item_id=item_id, version=version, committed_at=stamp)
                for item_id, version in zip(ids, versions, strict=True)
            ]
            await outbox.add_all(session, changes)
            await session.commit()
        return stamp.timestamp(), time.time()

    async def write(self, count: int, writers: int, per_transaction: int = 1) -> dict:
        """`count` changes by `writers` concurrent tasks, each committing one transaction of
        `per_transaction` changes after another."""
        remaining = count
        commits: list[float] = []
        last = 0.0

        async def writer() -> None:
            nonlocal remaining, last
            while remaining > 0:
                size = min(per_transaction, remaining)
                remaining -= size
                stamp, done = await self.change(size)
                commits.append(done - stamp)
                last = max(last, done)

        started = time.time()
        await asyncio.gather(*(writer() for _ in range(writers)))
        return {"started": started, "last_commit": last, "commit_s": commits}

    async def paced(self, rate: float, seconds: float) -> dict:
        """Offer `rate` changes/s for `seconds`, open loop: each starts at its scheduled time."""
        clock = time.perf_counter
        count = round(rate * seconds)
        start, wall = clock() + 0.05, time.time() + 0.05
        slips: list[float] = []
        tasks = []
        # Changes beyond the connection pool wait here rather than in the pool (whose checkout
        # times out after 30 s); either way the wait counts in "scheduled -> commit".
        slots = asyncio.Semaphore(POOL)

        async def change() -> tuple[float, float]:
            async with slots:
                return await self.change()

        for i in range(count):
            at = start + i / rate
            if (delay := at - clock()) > 0:
                await asyncio.sleep(delay)
            slips.append(clock() - at)
            tasks.append(asyncio.create_task(change()))
        dispatched = clock() - start
        done = await asyncio.gather(*tasks)
        return {
            "count": count,
            "offered_per_s": round(count / dispatched, 1) if dispatched else None,
            "slip_ms": percentiles(slips),
            "commit_ms": percentiles([end - stamp for stamp, end in done]),
            # from the scheduled start to the commit: the producer's own queueing included
            "write_ms": percentiles([end - (wall + i / rate) for i, (_, end) in enumerate(done)]),
        }

    async def raw_produce(self, count: int, payload: bytes) -> dict:
        """The relay's essential I/O without a database: send in batches, await each batch."""
        keys = [str(item).encode() for item in self.items]
        headers = [("content-type", b"application/cloudevents+json")]
        started = time.time()
        for first in range(0, count, RELAY_BATCH):
            batch = range(first, min(count, first + RELAY_BATCH))
            deliveries = [
                await self.producer.send(RAW_TOPIC, payload, key=keys[i % ITEMS], headers=headers)
                for i in batch
            ]
            await asyncio.gather(*deliveries)
        return {"started": started, "sent": time.time()}

    async def pg_commits(self, connections: int, seconds: float) -> dict:
        """One-row INSERT commits (autocommit), `connections` at a time, raw asyncpg."""
        dsn = self.url.replace("postgresql+asyncpg://", "postgresql://")
        pool = await asyncpg.create_pool(dsn, min_size=connections, max_size=connections)
        done = 0
        deadline = time.perf_counter() + seconds

        async def committer() -> None:
            nonlocal done
            async with pool.acquire() as connection:
                while time.perf_counter() < deadline:
                    await connection.execute("INSERT INTO commit_probe (n) VALUES ($1)", done)
                    done += 1

        started = time.perf_counter()
        try:
            await asyncio.gather(*(committer() for _ in range(connections)))
        finally:
            await pool.close()
        return {
            "connections": connections,
            "commits_per_s": round(done / (time.perf_counter() - started)),
        }


class ConsumerService:
    """The consuming service: one chassis GroupConsumer, and the baselines' receiving side.

    The handler notes each event in its session; when that session's transaction commits
    (the inbox row and the effect together), the event's effect time is taken. Only the
    handler API and a SQLAlchemy session event are used, nothing inside the consumer."""

    def __init__(self, url: str, bootstrap: str) -> None:
        self.db = Database(url, service="benchsink")
        self.bootstrap = bootstrap
        self.raw: asyncio.Task | None = None
        self.effects: list[tuple[str, int, float, float]] = []  # key, version, at, latency

    async def apply_change(self, data: ItemChanged, session) -> None:
        session.add(
            ItemEffect(
                item_id=data.item_id,
                version=data.version,
                committed_at=data.committed_at,
                applied_at=now(),
            )
        )
        session.info.setdefault(APPLIED, []).append(data)

    def _committed(self, session: Session) -> None:
        applied = session.info.pop(APPLIED, None)
        if applied:
            at = time.time()
            self.effects += [
                (str(d.item_id), d.version, at, at - d.committed_at.timestamp()) for d in applied
            ]

    async def run(self, conn: Connection) -> None:
        producer = kafka.producer(self.bootstrap)  # for dead letters
        await producer.start()
        sqlalchemy_event.listen(Session, "after_commit", self._committed)
        sqlalchemy_event.listen(Session, "after_soft_rollback", _forget_applied)
        self.consumer = GroupConsumer(
            GROUP,
            [Handler(GROUP, self.apply_change, frozenset({EVENT_TYPE}))],
            db=self.db,
            producer=producer,
            bootstrap_servers=self.bootstrap,
            service="benchsink",
            # The group join waits about half the session timeout on Tansu; a short one keeps
            # the run short and does not change the steady state measured here.
            session_timeout_ms=3000,
        )
        task = asyncio.create_task(self.consumer.run())
        try:
            await _serve(
                conn,
                {
                    "take": self.take,
                    "raw_start": self.raw_start,
                    "raw_wait": self.raw_wait,
                },
            )
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await producer.stop()
            await self.db.dispose()

    async def take(self) -> list[tuple[str, int, float, float]]:
        """Hand over the timings of the events applied since the last call."""
        taken, self.effects = self.effects, []
        return taken

    async def raw_start(self, count: int) -> str:
        reader = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=500,  # as the chassis consumer
        )
        await reader.start()
        partitions = [TopicPartition(RAW_TOPIC, p) for p in range(PARTITIONS)]
        reader.assign(partitions)
        await reader.seek_to_beginning(*partitions)

        async def read() -> dict:
            received, last = 0, 0.0
            try:
                while received < count:
                    batches = await reader.getmany(timeout_ms=500)
                    received += sum(len(records) for records in batches.values())
                    last = time.time() if batches else last
            finally:
                await reader.stop()
            return {"received": received, "last_received": last}

        self.raw = asyncio.create_task(read())
        return "reading"

    async def raw_wait(self, within: float) -> dict:
        return await asyncio.wait_for(self.raw, within)


def _forget_applied(session: Session, _transaction) -> None:
    session.info.pop(APPLIED, None)


def _producer_process(conn: Connection, url: str, bootstrap: str, relay_batch: int) -> None:
    logging.basicConfig(level=logging.WARNING)
    uvloop.run(ProducerService(url, bootstrap, relay_batch).run(conn))


def _consumer_process(conn: Connection, url: str, bootstrap: str) -> None:
    logging.basicConfig(level=logging.WARNING)
    uvloop.run(ConsumerService(url, bootstrap).run(conn))


# ---------------------------------------------------------------------------------------------
# The parent: broker, databases, the two services, the phases.


class Child:
    """A service process, and its command pipe."""

    def __init__(self, name: str, target: Callable, *args) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, theirs = context.Pipe()
        self.process = context.Process(target=target, args=(theirs, *args), name=name)
        self.process.start()
        self.name = name

    async def call(self, kind: str, *, wait: float = 120.0, **args) -> dict | str:
        loop = asyncio.get_running_loop()
        self.conn.send((kind, args))
        if not await loop.run_in_executor(None, self.conn.poll, wait):
            raise TimeoutError(f"{self.name} did not answer {kind!r} within {wait:g} s")
        answer = self.conn.recv()
        if isinstance(answer, dict) and "error" in answer:
            raise RuntimeError(f"{self.name} failed {kind!r}: {answer['error']}")
        return answer

    async def ready(self) -> None:
        loop = asyncio.get_running_loop()
        if not await loop.run_in_executor(None, self.conn.poll, 60):
            raise TimeoutError(f"{self.name} did not start")
        self.conn.recv()

    async def stop(self) -> None:
        with contextlib.suppress(Exception):
            await self.call("stop", wait=15)
        self.process.join(5)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(5)


async def _create_database(name: str, metadata: list[MetaData]) -> str:
    admin = await asyncpg.connect(f"{POSTGRES}/postgres")
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    db = Database(url, service="bench")
    try:
        async with db.engine.begin() as conn:
            for each in metadata:
                await conn.run_sync(each.create_all)
    finally:
        await db.dispose()
    return url


async def _drop_databases(names: list[str]) -> None:
    admin = await asyncpg.connect(f"{POSTGRES}/postgres")
    try:
        for name in names:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def _count(url: str, query) -> int:
    db = Database(url, service="bench")
    try:
        async with db.session() as session:
            return await session.scalar(query)
    finally:
        await db.dispose()


async def _backlog_peak(dsn: str, stop: asyncio.Event) -> int:
    """Sample the producer's outbox backlog every 100 ms until `stop`; return the peak."""
    connection = await asyncpg.connect(dsn)
    peak = 0
    query = "SELECT count(*) FROM outbox WHERE published_at IS NULL"
    try:
        while not stop.is_set():
            peak = max(peak, await connection.fetchval(query))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.1)
    finally:
        await connection.close()
    return peak


async def _effects(consumers: list[Child], count: int, within: float) -> dict:
    """Poll the consumer services until `count` events have been applied (or `within` s)."""
    taken: list[tuple[str, int, float, float]] = []
    members: list[int] = []
    deadline = time.monotonic() + within
    while len(taken) < count and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
        for i, consumer in enumerate(consumers):
            more = await consumer.call("take")
            taken += more
            members += [i] * len(more)
    if len(taken) < count:
        raise RuntimeError(f"{len(taken)} of {count} events applied within {within:g} s")
    return {
        "count": len(taken),
        "members": set(members),
        "first_effect": min(e[2] for e in taken),
        "last_effect": max(e[2] for e in taken),
        "latency_s": [e[3] for e in taken],
        "taken": taken,
    }


async def _legs(dsn: str, taken: list[tuple[str, int, float, float]]) -> dict:
    """Split each event's latency where the relay had it acknowledged by the broker (the
    outbox row's `published_at`): commit -> published, published -> effect."""
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch(
            "SELECT key, (payload::json -> 'data' ->> 'version')::int AS version, published_at"
            " FROM outbox WHERE published_at IS NOT NULL"
        )
    finally:
        await connection.close()
    published = {(row["key"], row["version"]): row["published_at"].timestamp() for row in rows}
    relay, onward = [], []
    for key, version, at, latency in taken:
        if (sent := published.get((key, version))) is not None:
            relay.append(sent - (at - latency))
            onward.append(at - sent)
    return {
        "commit_to_published_ms": percentiles(relay),
        "published_to_effect_ms": percentiles(onward),
    }


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _backends(databases: list[str]) -> list[int]:
    """The PostgreSQL server processes serving connections to `databases`."""
    wanted = [f" {name} ".encode() for name in databases]
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                title = (entry / "cmdline").read_bytes()
                if title.startswith(b"postgres: ") and any(name in title for name in wanted):
                    pids.append(int(entry.name))
    return pids


def _listening(port: int) -> list[int]:
    """The broker process: the one started with our listener URL."""
    url = f"tcp://127.0.0.1:{port}".encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                arguments = (entry / "cmdline").read_bytes().split(b"\0")
                if b"broker" in arguments and url in arguments:
                    pids.append(int(entry.name))
    return pids


class CpuMeter:
    """CPU seconds used by each part of the path between `start()` and `stop()`."""

    def __init__(self, parts: dict[str, list[int]], databases: list[str]) -> None:
        self.parts = parts
        self.databases = databases

    def _sample(self) -> dict[str, dict[int, float]]:
        parts = {**self.parts, "PostgreSQL backends": _backends(self.databases)}
        return {part: {pid: _cpu_seconds(pid) for pid in pids} for part, pids in parts.items()}

    def start(self) -> None:
        self.before = self._sample()

    def stop(self) -> dict[str, float]:
        after = self._sample()
        return {
            part: sum(cpu - self.before[part].get(pid, 0.0) for pid, cpu in pids.items())
            for part, pids in after.items()
        }


def _sample_payload() -> bytes:
    data = ItemChanged(item_id=new_id(), version=1, committed_at=now())
    return outbox.envelope_for(data, source="/flywheel/bench").to_bytes()


async def _throughput(
    producer: Child,
    consumers: list[Child],
    cpu: CpuMeter,
    dsn: str,
    count: int,
    writers: int,
    per_transaction: int,
) -> dict:
    """`count` changes written as fast as they commit, `per_transaction` to a transaction,
    until the last is applied; the relay and the consumer keep up or not."""
    stop = asyncio.Event()
    sampler = asyncio.create_task(_backlog_peak(dsn, stop))
    await producer.call("relay_stats")
    cpu.start()
    wrote, applied = await asyncio.gather(
        producer.call(
            "write", count=count, writers=writers, per_transaction=per_transaction, wait=600
        ),
        _effects(consumers, count, within=600),
    )
    cpu_used = cpu.stop()
    relayed = await producer.call("relay_stats")
    stop.set()
    elapsed = applied["last_effect"] - wrote["started"]
    cpu_ms = {part: round(used / count * 1000, 3) for part, used in cpu_used.items()}
    cpu_ms["total"] = round(sum(cpu_ms.values()), 3)
    return {
        "changes_per_transaction": per_transaction,
        "events_per_s": round(count / elapsed),
        "seconds": round(elapsed, 2),
        "write_per_s": round(count / (wrote["last_commit"] - wrote["started"])),
        "transaction_ms": percentiles(wrote["commit_s"]),
        "outbox_backlog_peak": await sampler,
        "relay_batches": relayed["batches"],
        "relay_rows_per_batch": round(relayed["rows"] / max(1, relayed["batches"]), 1),
        "cpu_ms_per_event": cpu_ms,
        "cpu_ceiling_events_per_s": round(machine()["nproc"] * 1000 / cpu_ms["total"]),
    }


async def _phases(args, producer: Child, consumers: list[Child], urls: dict, cpu: CpuMeter) -> dict:
    count, seconds = args.events, args.seconds
    await asyncio.gather(*(child.ready() for child in (producer, *consumers)))
    # Warm-up: the group join, connection pools, code paths. Every member must have applied
    # some, so that the group is settled before anything is measured.
    warm = 300 * len(consumers)
    await producer.call("write", count=warm, writers=args.writers)
    warmed = await _effects(consumers, warm, within=60)
    if len(warmed["members"]) < min(len(consumers), PARTITIONS):
        raise RuntimeError("warm-up: a consumer member got no partition")
    written = warm

    # Baseline 1: raw aiokafka, same messages, same two processes, no databases.
    reader = consumers[0]
    await reader.call("raw_start", count=count)
    sent = await producer.call("raw_produce", count=count, payload=_sample_payload())
    raw = await reader.call("raw_wait", within=120)
    raw_rate = raw["received"] / (raw["last_received"] - sent["started"])

    # Baseline 2: one-row PostgreSQL commits, as many connections as writers, and one.
    pg_many = await producer.call("pg_commits", connections=args.writers, seconds=args.pg_seconds)
    pg_one = await producer.call("pg_commits", connections=1, seconds=args.pg_seconds)

    # Throughput: N changes as fast as they commit; the relay and the consumer keep up or not.
    # First one change per transaction (what an API call does), then in bulk transactions.
    dsn = urls["producer"].replace("postgresql+asyncpg://", "postgresql://")
    single = await _throughput(producer, consumers, cpu, dsn, count, args.writers, 1)
    bulk = await _throughput(
        producer, consumers, cpu, dsn, args.bulk_events, args.writers, args.bulk
    )
    written += count + args.bulk_events
    end_to_end = single["events_per_s"]

    # Latency: a fixed offered rate, paced open loop.
    paced_count = round(args.rate * seconds)
    offered, timed = await asyncio.gather(
        producer.call("paced", rate=args.rate, seconds=seconds, wait=seconds + 120),
        _effects(consumers, paced_count, within=seconds + 120),
    )
    written += paced_count
    latency = percentiles(timed["latency_s"])

    # When the offered rate is beyond what the path sustains, the figures above are mostly
    # queueing; the same at half the measured throughput shows the path's own latency.
    headroom = None
    if args.rate > 0.8 * end_to_end:
        rate = max(10, round(end_to_end / 2, -1))
        half_seconds = seconds / 2
        half_count = round(rate * half_seconds)
        calm, calm_timed = await asyncio.gather(
            producer.call("paced", rate=rate, seconds=half_seconds, wait=half_seconds + 120),
            _effects(consumers, half_count, within=half_seconds + 120),
        )
        written += half_count
        headroom = {
            "offered_per_s": calm["offered_per_s"],
            "events": calm_timed["count"],
            "commit_to_effect_ms": percentiles(calm_timed["latency_s"]),
            **await _legs(dsn, calm_timed["taken"]),
            "producer_commit_ms": calm["commit_ms"],
            "producer_scheduled_to_commit_ms": calm["write_ms"],
            "schedule_slip_ms": calm["slip_ms"],
        }

    # Every committed change applied exactly once, and nothing left in the outbox.
    effects = await _count(urls["consumer"], select(func.count()).select_from(ItemEffect))
    inboxed = await _count(urls["consumer"], select(func.count()).select_from(inbox))
    pending = await _count(
        urls["producer"],
        select(func.count()).select_from(outbox_table).where(outbox_table.c.published_at.is_(None)),
    )
    pg_limit = pg_many["commits_per_s"] / 2  # two commits per event: producer and consumer
    stack_limit = min(raw_rate, pg_limit)
    members = len(consumers)
    return {
        "benchmark": "events",
        "revision": revision(),
        "machine": machine(),
        "processes": {
            "producer service": "writer tasks + OutboxRelay, one process (uvloop)",
            "consumer service": f"chassis GroupConsumer, {members} member(s), a process each "
            "(uvloop)",
            "broker": "Tansu (in-memory storage), its own process",
            "parent": "orchestration and backlog sampling; PostgreSQL 15 on the same machine",
        },
        "settings": {
            "events": count,
            "writers": args.writers,
            "bulk_events": args.bulk_events,
            "bulk_changes_per_transaction": args.bulk,
            "relay_batch_size": args.relay_batch,
            "partitions": PARTITIONS,
            "consumer_members": members,
            "offered_rate_per_s": args.rate,
            "paced_seconds": seconds,
        },
        "baseline": {
            "kafka_raw_events_per_s": round(raw_rate),
            "pg_commits_per_s": pg_many["commits_per_s"],
            "pg_commits_per_s_one_connection": pg_one["commits_per_s"],
            "stack_limit_events_per_s": round(stack_limit),
        },
        "throughput": {
            "one_change_per_transaction": single,
            "bulk": bulk,
            "share_of_kafka_raw": round(bulk["events_per_s"] / raw_rate, 3),
            "share_of_pg_commits_per_2": round(single["events_per_s"] / pg_limit, 3),
        },
        "latency": {
            "offered_per_s": offered["offered_per_s"],
            "events": timed["count"],
            "commit_to_effect_ms": latency,
            **await _legs(dsn, timed["taken"]),
            "producer_commit_ms": offered["commit_ms"],
            "producer_scheduled_to_commit_ms": offered["write_ms"],
            "schedule_slip_ms": offered["slip_ms"],
        },
        "latency_at_half_throughput": headroom,
        "exactly_once": {
            "written": written,
            "effects": effects,
            "inbox": inboxed,
            "outbox_pending": pending,
            "ok": effects == inboxed == written and pending == 0,
        },
        "targets": TARGETS,
        "met": {
            "events_per_s": bulk["events_per_s"] >= TARGETS["events_per_s_min"],
            "p99_ms": latency["p99"] <= TARGETS["p99_ms_max"],
        },
    }


async def run(args) -> dict:
    suffix = new_id().hex[-12:]
    names = {"producer": f"bench_events_producer_{suffix}", "consumer": f"bench_events_{suffix}"}
    children: list[Child] = []
    with TansuBroker(topics=[TOPIC, RAW_TOPIC], partitions=PARTITIONS) as broker:
        try:
            urls = {
                "producer": await _create_database(
                    names["producer"], [messaging_metadata, producer_metadata]
                ),
                "consumer": await _create_database(
                    names["consumer"], [messaging_metadata, ConsumerBase.metadata]
                ),
            }
            bootstrap = broker.bootstrap_servers
            producer = Child(
                "producer service", _producer_process, urls["producer"], bootstrap, args.relay_batch
            )
            children.append(producer)
            consumers = []
            for member in range(args.members):
                consumers.append(
                    Child(
                        f"consumer service {member + 1}",
                        _consumer_process,
                        urls["consumer"],
                        bootstrap,
                    )
                )
                children.append(consumers[-1])
            cpu = CpuMeter(
                {
                    "producer service": [producer.process.pid],
                    "consumer service": [c.process.pid for c in consumers],
                    "broker": _listening(broker.port),
                },
                list(names.values()),
            )
            return await _phases(args, producer, consumers, urls, cpu)
        finally:
            for child in children:
                await child.stop()
            await _drop_databases(list(names.values()))


def _print(result: dict) -> None:
    s, base, thr, lat = (
        result["settings"],
        result["baseline"],
        result["throughput"],
        result["latency"],
    )
    once = result["exactly_once"]
    print(f"machine: {result['machine']['summary']}; revision {result['revision']}")
    print("processes: " + "; ".join(f"{k}: {v}" for k, v in result["processes"].items()))
    print(
        f"settings: {s['events']:,} events one change per transaction, "
        f"{s['bulk_events']:,} in bulk ({s['bulk_changes_per_transaction']} per transaction), "
        f"{s['writers']} writer tasks, relay batch "
        f"{s['relay_batch_size']}, {s['partitions']} partitions, "
        f"{s['consumer_members']} consumer member(s)"
    )
    print(f"\n{'baselines (per s)':<52}{'figure':>12}")
    for name, figure in (
        ("raw aiokafka produce -> consume", base["kafka_raw_events_per_s"]),
        (f"PostgreSQL one-row commits ({s['writers']} conns)", base["pg_commits_per_s"]),
        ("PostgreSQL one-row commits (1 conn)", base["pg_commits_per_s_one_connection"]),
        ("stack limit: min(raw Kafka, PG commits / 2)", base["stack_limit_events_per_s"]),
    ):
        print(f"{name:<52}{figure:>12,}")
    phases = [thr["one_change_per_transaction"], thr["bulk"]]
    print(
        f"\n{'throughput (changes per transaction)':<52}"
        + "".join(f"{phase['changes_per_transaction']:>12}" for phase in phases)
    )
    for name, key in (
        ("writes committed, changes/s", "write_per_s"),
        ("end to end, events/s (first write -> last effect)", "events_per_s"),
        ("seconds", "seconds"),
        ("outbox backlog peak, rows", "outbox_backlog_peak"),
        ("relay rows per batch", "relay_rows_per_batch"),
    ):
        print(f"{name:<52}" + "".join(f"{phase[key]:>12,}" for phase in phases))
    print("CPU ms per event")
    for part in phases[0]["cpu_ms_per_event"]:
        print(
            f"  {part:<50}"
            + "".join(f"{phase['cpu_ms_per_event'][part]:>12.3f}" for phase in phases)
        )
    print(
        f"{'  -> ceiling on ' + str(result['machine']['nproc']) + ' cores, events/s':<52}"
        + "".join(f"{phase['cpu_ceiling_events_per_s']:>12,}" for phase in phases)
    )

    for figures in (lat, result["latency_at_half_throughput"]):
        if figures is None:
            continue
        print(
            f"\nlatency at {figures['offered_per_s']:g} events/s offered "
            f"({figures['events']:,} events, paced open loop), ms"
        )
        print(f"{'':<34}{'p50':>9}{'p95':>9}{'p99':>9}{'max':>9}")
        for name, key in (
            ("commit -> consumer effect", "commit_to_effect_ms"),
            ("  commit -> relay published (acked)", "commit_to_published_ms"),
            ("  relay published -> effect", "published_to_effect_ms"),
            ("producer: stamp -> commit", "producer_commit_ms"),
            ("producer: scheduled -> commit", "producer_scheduled_to_commit_ms"),
            ("schedule slip of the pacer", "schedule_slip_ms"),
        ):
            p = figures[key]
            print(f"{name:<34}{p['p50']:>9.2f}{p['p95']:>9.2f}{p['p99']:>9.2f}{p['max']:>9.2f}")
    print(
        f"\nexactly once: {once['written']:,} written, {once['effects']:,} effects, "
        f"{once['inbox']:,} inbox rows, {once['outbox_pending']} pending: "
        + ("ok" if once["ok"] else "MISMATCH")
    )
    t, met = result["targets"], result["met"]
    print(
        f"targets: >= {t['events_per_s_min']:,} events/s end to end: "
        f"{thr['bulk']['events_per_s']:,} in bulk, "
        f"{thr['one_change_per_transaction']['events_per_s']:,} one change at a time "
        f"({'met' if met['events_per_s'] else 'not met'}); "
        f"p99 <= {t['p99_ms_max']:g} ms at {t['offered_rate_per_s']}/s: "
        f"{lat['commit_to_effect_ms']['p99']:.1f} ms ({'met' if met['p99_ms'] else 'not met'})"
    )


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.events", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="a short run (under ~30 s)")
    parser.add_argument("--events", type=int, help="changes in the throughput phase")
    parser.add_argument("--writers", type=int, default=WRITERS)
    parser.add_argument(
        "--bulk", type=int, default=BULK, help="changes per transaction in the bulk phase"
    )
    parser.add_argument("--bulk-events", type=int, help="changes in the bulk phase")
    parser.add_argument("--relay-batch", type=int, default=RELAY_BATCH)
    parser.add_argument(
        "--members", type=int, default=1, help="consumer group members, a process each"
    )
    parser.add_argument("--rate", type=float, default=TARGETS["offered_rate_per_s"])
    parser.add_argument("--seconds", type=float, help="length of the paced phase")
    args = parser.parse_args(argv)
    args.events = args.events or (3000 if args.quick else 20_000)
    args.bulk_events = args.bulk_events or (10_000 if args.quick else 60_000)
    args.seconds = args.seconds or (3.0 if args.quick else 10.0)
    args.pg_seconds = 0.5 if args.quick else 2.0
    result = uvloop.run(run(args))
    _print(result)
    finish("events", result)


if __name__ == "__main__":
    main(sys.argv[1:])
