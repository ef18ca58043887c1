"""Benchmark: segments of the users service on 100,000 users with metrics, on PostgreSQL.

`python -m bench.segments [--quick]`. A Tansu broker, a fresh PostgreSQL database (dropped at
the end) and the users service itself in a process of its own (uvicorn, its real consumer,
relay and scheduler), populated with 100,000 users having a profile, metrics, a lifecycle
stage, a tier and RFM scores (written by SQL, not through the API). The bench process plays
the orders service's relay: it publishes `orders.order.paid` CloudEvents to the broker.

Phases:
- preview of a 3-condition segment (city, RFM monetary score, paid in the last 30 days), by
  HTTP, best and median of several; then its materialization (`POST /segments`: the SQL
  selection, the members and their `segment.entered` rows in one transaction);
- incremental updates: the same number of payments of random users applied by the
  service's consumer (every domain's handler in one transaction per event), first with no
  segment defined (the bare limit of the same path: the segments handler finds none
  reading the fields), then with 20 segments reading what a payment changes; events/s from
  the first publish to the last payment applied;
- freshness: payments lifting probe users into a segment at a paced rate, with the 20
  segments active; from the moment just before the publish to the moment the bench sees
  the membership row committed (polled every 20 ms), p50/p95. The orders service's own
  outbox hop (commit to publish) is not in it: bench/events measures that backbone.

Ends with one line `RESULT {json}`; the JSON is also written to bench/results/segments.json.
"""

import argparse
import asyncio
import contextlib
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path
from uuid import UUID

import asyncpg
import httpx
from aiokafka import AIOKafkaProducer

from bench.common import ROOT, finish, machine, percentiles, revision
from chassis.broker import TansuBroker
from chassis.clock import now
from chassis.events.outbox import envelope_for
from chassis.events.registry import registry
from chassis.ids import new_id
from chassis.money import Money
from contracts import load_contracts
from contracts.orders import OrderLine, OrderPaid

POSTGRES = "postgresql://postgres@127.0.0.1:5432"
ADMIN = ("admin@flywheel.local", "bench-admin-password")
TARGETS = {"preview_s_max": 1.0, "events_per_s_min": 1000, "freshness_p95_ms_max": 5000.0}
CITIES = ["Hangzhou", "Shanghai", "Beijing", "Chengdu", "Wuhan", "Hefei", "Suzhou"]
SKU = new_id()
PROBE_AMOUNT = 900_000_000  # no generated user spends this much: a payment of it enters
PROBE_RULE = {"field": "metrics.net_spend", "op": "gte", "value": PROBE_AMOUNT}
THREE = {  # the 3-condition segment of the issue
    "all": [
        {"field": "profile.city", "op": "in", "value": ["Hangzhou", "Shanghai", "Suzhou"]},
        {"field": "rfm.m", "op": "gte", "value": 4},
        {"field": "metrics.last_paid_at", "op": "within_days", "value": 30},
    ]
}


def nineteen_more() -> list[dict]:
    """Segments reading what a payment changes (metrics and RFM), each about 1 % of the
    population (their backfills' events are published before the next phase), and the
    freshness probe: with THREE, the 20 active segments."""
    rules: list[dict] = [PROBE_RULE]
    for low in (1_000_000, 2_000_000, 3_000_000, 4_000_000, 4_900_000):
        spend = {"field": "metrics.net_spend", "op": "between", "value": [low, low + 50_000]}
        rules.append(spend)
    for orders in (1, 2, 3, 4):
        rules.append(
            {
                "all": [
                    {"field": "metrics.paid_orders", "op": "eq", "value": orders},
                    {"field": "rfm.r", "op": "eq", "value": 5},
                ]
            }
        )
    for days in (3, 5):
        rules.append({"field": "metrics.last_paid_at", "op": "within_days", "value": days})
    rules.append({"all": [{"field": f"rfm.{score}", "op": "eq", "value": 5} for score in "rfm"]})
    rules.append(
        {
            "all": [
                {"not": {"field": "metrics.last_active_at", "op": "within_days", "value": 195}},
                {"field": "profile.city", "op": "eq", "value": "Chengdu"},
            ]
        }
    )
    rules.append(
        {
            "all": [
                {"field": "membership.tier", "op": "eq", "value": "platinum"},
                {"field": "metrics.net_spend", "op": "gte", "value": 4_800_000},
            ]
        }
    )
    rules.append(
        {
            "all": [
                {"field": "lifecycle.stage", "op": "eq", "value": "high_value"},
                {"field": "profile.city", "op": "eq", "value": "Chengdu"},
                {"field": "metrics.paid_orders", "op": "gte", "value": 10},
            ]
        }
    )
    rules.append(
        {
            "all": [
                {"field": "profile.city", "op": "eq", "value": "Wuhan"},
                {
                    "any": [
                        {"field": "metrics.paid_orders", "op": "gte", "value": 12},
                        {
                            "all": [
                                {"field": "rfm.m", "op": "eq", "value": 1},
                                {"field": "metrics.last_paid_at", "op": "within_days", "value": 7},
                            ]
                        },
                    ]
                },
            ]
        }
    )
    rules.append({"field": "metrics.net_spend", "op": "between", "value": [10_000, 60_000]})
    rules.append(
        {
            "all": [
                {"field": "metrics.paid_orders", "op": "gte", "value": 11},
                {"field": "rfm.f", "op": "eq", "value": 2},
                {"field": "metrics.last_paid_at", "op": "within_days", "value": 60},
            ]
        }
    )
    assert len(rules) == 19
    return rules


POPULATE = [
    """INSERT INTO users (id, email, password_hash, roles, created_at, last_login_at)
       SELECT gen_random_uuid(), 'bench-' || i || '@example.com', 'x', '["customer"]'::json,
              now() - (i % 700) * interval '1 day',
              CASE WHEN i % 5 = 0 THEN NULL ELSE now() - (i % 120) * interval '1 day' END
       FROM generate_series(1, $1) AS i""",
    """INSERT INTO profiles (user_id, gender, birth_year, city, updated_at)
       SELECT id, (ARRAY['female','male','other','undisclosed'])[1 + (n % 4)],
              1960 + (n % 45), (ARRAY{cities})[1 + (n % {n_cities})], now()
       FROM (SELECT id, row_number() OVER () AS n FROM users) AS u""",
    """INSERT INTO user_activity
              (user_id, paid_orders, net_spend, first_paid_at, last_paid_at, last_active_at)
       SELECT id, 1 + (n % 12), 1000 * (1 + (n * 7919) % 5000),
              now() - interval '400 days', now() - ((n * 31) % 365) * interval '1 day',
              now() - ((n * 17) % 200) * interval '1 day'
       FROM (SELECT id, row_number() OVER () AS n FROM users) AS u""",
    """INSERT INTO lifecycle_states (user_id, stage, since, rule_version)
       SELECT id, (ARRAY['new','active','high_value','dormant','churned'])[1 + (n % 5)],
              now() - interval '10 days', 1
       FROM (SELECT id, row_number() OVER () AS n FROM users) AS u""",
    """INSERT INTO memberships (user_id, tier, since, review_at)
       SELECT id, (ARRAY['regular','silver','gold','platinum'])[1 + (n % 4)],
              now() - interval '10 days', now() + interval '300 days'
       FROM (SELECT id, row_number() OVER () AS n FROM users) AS u""",
    """INSERT INTO rfm_scores (user_id, recency_days, frequency, monetary, r, f, m, scored_at)
       SELECT id, (n * 31) % 365, 1 + (n % 12), 1000 * (1 + (n * 7919) % 5000),
              1 + (n % 5), 1 + ((n / 5) % 5), 1 + ((n / 25) % 5), now()
       FROM (SELECT id, row_number() OVER () AS n FROM users) AS u""",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def paid(user_id: UUID, amount: int) -> OrderPaid:
    money = Money(amount=amount, currency="CNY")
    line = OrderLine(sku_id=SKU, quantity=1, list_price=money, unit_price=money, paid=money)
    return OrderPaid(
        order_id=new_id(),
        customer_id=user_id,
        lines=[line],
        total=money,
        points=0,
        paid_at=now(),
    )


async def send(producer: AIOKafkaProducer, data: OrderPaid) -> asyncio.Future:
    envelope = envelope_for(data, source="/flywheel/orders")
    return await producer.send(
        registry.of(data).topic, envelope.to_bytes(), key=envelope.subject.encode()
    )


class Bench:
    def __init__(self, quick: bool) -> None:
        self.quick = quick
        self.users = 100_000
        self.events = 500 if quick else 10_000
        self.probes = 50 if quick else 300
        self.database = f"bench_segments_{new_id().hex[-10:]}"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = Path(ROOT / "bench" / "results" / "segments-service.log")
        # the code the service runs: read before it starts, not when the run ends
        self.revision = revision(("chassis", "services/users", "bench/segments.py"))

    async def run(self) -> dict:
        with TansuBroker(topics=load_contracts().topics()) as broker:
            self.bootstrap = broker.bootstrap_servers
            await self.admin(f'CREATE DATABASE "{self.database}"')
            service = self.start_service()
            try:
                self.pg = await asyncpg.connect(f"{POSTGRES}/{self.database}")
                return await self.phases()
            finally:
                service.terminate()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    service.wait(timeout=15)
                if service.poll() is None:
                    service.kill()
                with contextlib.suppress(Exception):
                    await self.pg.close()
                await self.admin(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')

    @staticmethod
    async def admin(statement: str) -> None:
        connection = await asyncpg.connect(f"{POSTGRES}/postgres")
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    def start_service(self) -> subprocess.Popen:
        env = os.environ | {
            "USERS_DATABASE_URL": f"postgresql+asyncpg://postgres@127.0.0.1:5432/{self.database}",
            "USERS_KAFKA_BOOTSTRAP_SERVERS": self.bootstrap,
            "USERS_SCHEDULE_SECONDS": "3600",
            "USERS_ACCESS_TOKEN_MINUTES": "240",  # one token for the whole run
            "USERS_JWKS_URL": "http://127.0.0.1:1/unused",
            "FLYWHEEL_ADMIN_EMAIL": ADMIN[0],
            "FLYWHEEL_ADMIN_PASSWORD": ADMIN[1],
            "PYTHONPATH": str(ROOT),
        }
        self.log.parent.mkdir(parents=True, exist_ok=True)
        output = self.log.open("w")
        command = [sys.executable, "-m", "uvicorn", "services.users.app:create_app", "--factory"]
        command += ["--port", str(self.port), "--log-level", "warning", "--no-access-log"]
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)

    async def ready(self) -> None:
        async with httpx.AsyncClient(base_url=self.url, timeout=5) as client:
            for _ in range(600):
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get("/readyz")).status_code == 200:
                        return
                await asyncio.sleep(0.2)
        raise RuntimeError(f"the users service did not start; see {self.log}")

    async def phases(self) -> dict:
        await self.ready()
        started = time.perf_counter()
        await self.pg.execute(POPULATE[0], self.users)
        for statement in POPULATE[1:]:
            cities = "[" + ", ".join(f"'{c}'" for c in CITIES) + "]"
            await self.pg.execute(statement.format(cities=cities, n_cities=len(CITIES)))
        await self.pg.execute("ANALYZE")
        populated = time.perf_counter() - started
        ids = [row["id"] for row in await self.pg.fetch("SELECT id FROM users")]
        print(f"populated {len(ids):,} users in {populated:.1f} s", flush=True)

        async with httpx.AsyncClient(base_url=self.url, timeout=600) as client:
            token = (
                await client.post(
                    "/api/v1/users/auth/token", json={"email": ADMIN[0], "password": ADMIN[1]}
                )
            ).json()["access_token"]
            client.headers["Authorization"] = f"Bearer {token}"
            preview = await self.preview(client)
            print(f"preview: {preview}", flush=True)

            producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap, acks="all", linger_ms=5)
            await producer.start()
            try:
                rng = random.Random(18)
                bare = await self.apply(producer, rng.sample(ids, self.events))
                print(f"bare consumer (no segments): {bare}", flush=True)
                materialized = await self.materialize(client)
                print(f"materialization: {materialized}", flush=True)
                await self.drained()
                with_segments = await self.apply(producer, rng.sample(ids, self.events))
                print(f"with 20 segments: {with_segments}", flush=True)
                await self.drained()
                rate = min(200.0, with_segments["events_per_s"] / 2)
                fresh = await self.freshness(producer, rng.sample(ids, self.probes), rate)
                print(f"freshness: {fresh}", flush=True)
            finally:
                await producer.stop()
        share = with_segments["events_per_s"] / bare["events_per_s"]
        return {
            "benchmark": "segments",
            "quick": self.quick,
            "machine": machine(),
            "load_average": os.getloadavg(),
            "revision": self.revision,
            "users": len(ids),
            "populate_s": round(populated, 1),
            "preview": preview,
            "materialization": materialized,
            "bare": bare,
            "with_20_segments": with_segments,
            "share_of_bare": round(share, 3),
            "freshness": fresh,
            "targets": TARGETS,
            "met": {
                "preview": preview["best_s"] < TARGETS["preview_s_max"],
                "events_per_s": with_segments["events_per_s"] >= TARGETS["events_per_s_min"],
                "freshness_p95": fresh["observed_ms"]["p95"] is not None
                and fresh["observed_ms"]["p95"] < TARGETS["freshness_p95_ms_max"],
            },
        }

    async def preview(self, client: httpx.AsyncClient) -> dict:
        times, count = [], None
        for _ in range(3 if self.quick else 7):
            started = time.perf_counter()
            answer = await client.post("/api/v1/users/segments/preview", json={"rule": THREE})
            times.append(time.perf_counter() - started)
            answer.raise_for_status()
            count = answer.json()["count"]
        times.sort()
        return {
            "count": count,
            "best_s": round(times[0], 3),
            "median_s": round(times[len(times) // 2], 3),
            "runs": len(times),
        }

    async def materialize(self, client: httpx.AsyncClient) -> dict:
        started = time.perf_counter()
        answer = await client.post("/api/v1/users/segments", json={"name": "three", "rule": THREE})
        first = time.perf_counter() - started
        answer.raise_for_status()
        members = answer.json()["members"]
        started = time.perf_counter()
        total = members
        for i, rule in enumerate(nineteen_more()):
            answer = await client.post(
                "/api/v1/users/segments", json={"name": f"s{i}", "rule": rule}
            )
            answer.raise_for_status()
            total += answer.json()["members"]
            if rule is PROBE_RULE:
                self.probe_segment = UUID(answer.json()["id"])
        others = time.perf_counter() - started
        return {
            "three_condition_s": round(first, 2),
            "three_condition_members": members,
            "members_per_s": round(members / first) if first else None,
            "nineteen_more_s": round(others, 2),
            "members_of_all_20": total,
        }

    async def drained(self) -> None:
        """Wait for the relay to publish the outbox (the backfills' events), so the next
        phase measures the consumer, not the relay beside it."""
        started = time.perf_counter()
        unpublished = "SELECT count(*) FROM outbox WHERE published_at IS NULL"
        while await self.pg.fetchval(unpublished):  # noqa: ASYNC110 (another process's table)
            await asyncio.sleep(0.5)
        waited = time.perf_counter() - started
        if waited > 1:
            print(f"  (outbox drained in {waited:.1f} s)", flush=True)

    async def applied(self) -> int:
        return await self.pg.fetchval("SELECT count(*) FROM paid_orders")

    async def apply(self, producer: AIOKafkaProducer, users: list[UUID]) -> dict:
        before = await self.applied()
        events = [paid(user, 1000) for user in users]
        started = time.perf_counter()
        sent = [await send(producer, data) for data in events]
        await asyncio.gather(*sent)
        published = time.perf_counter() - started
        while await self.applied() < before + len(events):  # noqa: ASYNC110 (as above)
            await asyncio.sleep(0.05)
        elapsed = time.perf_counter() - started
        return {
            "events": len(events),
            "publish_s": round(published, 2),
            "elapsed_s": round(elapsed, 2),
            "events_per_s": round(len(events) / elapsed, 1),
        }

    async def freshness(self, producer: AIOKafkaProducer, users: list[UUID], rate: float) -> dict:
        sent_at: dict[UUID, float] = {}
        seen_at: dict[UUID, float] = {}
        wall_sent: dict[UUID, float] = {}
        entered: dict[UUID, float] = {}
        done = asyncio.Event()

        async def watch() -> None:
            while not done.is_set():
                rows = await self.pg.fetch(
                    "SELECT user_id, entered_at FROM segment_members WHERE segment_id = $1",
                    self.probe_segment,
                )
                at = time.perf_counter()
                for row in rows:
                    if row["user_id"] not in seen_at:
                        seen_at[row["user_id"]] = at
                        entered[row["user_id"]] = row["entered_at"].timestamp()
                if len(seen_at) >= len(users):
                    return
                await asyncio.sleep(0.02)

        watcher = asyncio.create_task(watch())
        started = time.perf_counter()
        for i, user in enumerate(users):
            await asyncio.sleep(max(0.0, started + i / rate - time.perf_counter()))
            data = paid(user, PROBE_AMOUNT)
            sent_at[user], wall_sent[user] = time.perf_counter(), time.time()
            await send(producer, data)
        try:
            await asyncio.wait_for(watcher, timeout=120)
        except TimeoutError:
            done.set()
        observed = [seen_at[u] - sent_at[u] for u in users if u in seen_at]
        evaluated = [entered[u] - wall_sent[u] for u in users if u in entered]
        return {
            "probes": len(users),
            "offered_per_s": round(rate, 1),
            "entered": len(observed),
            "observed_ms": percentiles(observed),
            "evaluated_ms": percentiles(evaluated),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer events and probes")
    args = parser.parse_args()
    result = asyncio.run(Bench(args.quick).run())
    finish("segments", result)


if __name__ == "__main__":
    main()
