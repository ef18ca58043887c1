"""Benchmark: flash-sale reservations on one hot SKU through the campaigns service, on the
Redis path and on the database path, each beside the bare limit of its stack.

`python -m bench.flash_sale [--quick]`. For each path the campaigns service runs as one
uvicorn worker (PostgreSQL, with `REDIS_URL` or without), and so does a bare route that runs
the same stock operation and nothing else: the same Lua script (which also appends the
reservation to its session's stream), or the same guarded upsert and update in a transaction
of its own, behind the same gate. `wrk` (one thread, a Lua script rotating the bearer tokens
of 500 customers, and sending the service a new `Idempotency-Key` with every reservation, as
retrying clients do; `BENCH_KEYS=0` sends none) loads each with 500 connections. Every 201
is a reservation; after each service run, once the service is idle (the Redis path's
write-down done), zero oversell is checked: reservations + stock left = stock, nobody over
the limit. Beside the rates, the CPU each server process spent per reservation (the
service's with its write-down): on a machine shared with other work, their ratio is the
share the route would reach with the CPU to itself. Ends with one line `RESULT {json}`
(also bench/results/flash_sale.json).
"""

import asyncio
import itertools
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import asyncpg
import httpx
from fastapi import FastAPI
from fastapi.responses import Response

from bench.common import finish, machine, revision, signing
from bench.gateway import _serve, _wrk_ms
from chassis.ids import new_id

CUSTOMERS = 500
CONNECTIONS = 500
STOCK = 1_000_000
LIMIT = 100  # per customer: 500 customers may take 50,000, more than a run reserves
PG = "postgresql://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379/0"
TARGETS = {"redis_share_of_bare_min": 0.8, "database_reservations_per_s_min": 300}
SCRIPT = """
local tokens = {}
for line in io.lines(os.getenv("BENCH_TOKENS")) do tokens[#tokens + 1] = line end
local body, path, n = os.getenv("BENCH_BODY"), os.getenv("BENCH_PATH"), 0
local keys = os.getenv("BENCH_KEYS") == "1"
local run = tostring(os.time()) .. tostring(math.random(1000000))
request = function()
  n = n + 1
  local headers = {["Content-Type"] = "application/json"}
  headers["Authorization"] = "Bearer " .. tokens[(n % #tokens) + 1]
  if keys then headers["Idempotency-Key"] = run .. "-" .. n end
  return wrk.format("POST", path, headers, body)
end
"""


def bare_app() -> FastAPI:
    """The stack's own limit: the same stock operation as a reservation, and nothing else."""

    from chassis.db import Database
    from chassis.money import Money
    from services.campaigns.flash.sessions import ItemTerms
    from services.campaigns.flash.stock import DatabaseStock, RedisStock, Taken

    # The Redis bare route's keys sit under a session of its own, which no write-down reads.
    item = ItemTerms(
        UUID(os.environ["BENCH_ITEM_ID"]),
        new_id(),
        Money(amount=1, currency="CNY"),
        STOCK,
        LIMIT,
        UUID(os.environ["BENCH_SESSION_ID"]),
    )
    customers = itertools.cycle([new_id() for _ in range(CUSTOMERS)])
    app = FastAPI()
    if os.environ["BENCH_MODE"] == "redis":
        stock = RedisStock.connect(REDIS)
        # The script records a reservation the size of the route's.
        body = json.dumps({"id": str(new_id()), "padding": "x" * 260})

        loaded = []

        async def take() -> Taken:
            if not loaded:
                await stock.load(item)
                loaded.append(True)
            return await stock.reserve(item, next(customers), 1, new_id(), body)
    else:
        db, stock = Database(os.environ["BENCH_DATABASE_URL"], service="bench"), DatabaseStock()

        async def take() -> Taken:
            async with stock.gate, db.session() as session:
                taken = await stock.hold(session, item, next(customers), 1)
                if taken == Taken.TAKEN:
                    taken = await stock.take(session, item, 1)
                await session.commit()
                return taken

    @app.post("/bare")
    async def bare() -> Response:
        return Response(status_code=201 if await take() == Taken.TAKEN else 409)

    @app.get("/healthz")
    async def healthz() -> dict:
        return {"status": "ok"}

    @app.get("/cpu")
    async def cpu() -> dict:
        return {"seconds": time.process_time()}

    return app


def _cpu(url: str) -> float:
    """CPU seconds the server process has used (all its threads): the service's from its
    Prometheus metrics, the bare route's from its /cpu."""
    if url.endswith("/bare"):
        return httpx.get(url.removesuffix("/bare") + "/cpu", timeout=30).json()["seconds"]
    metrics = httpx.get(url + "/metrics", timeout=30).text
    return float(re.search(r"^process_cpu_seconds_total ([\d.e+]+)$", metrics, re.M).group(1))


def _wrk(
    url: str, seconds: float, env: dict[str, str], script: Path, connections: int = CONNECTIONS
) -> dict:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency"]
    command += ["--timeout", "10s", "-s", str(script), url]
    output = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
        env={**os.environ, **env},
    ).stdout
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    refused = int(non_2xx.group(1)) if non_2xx else 0
    return {
        "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "reservations_per_s": round((requests - refused) / max(1, round(seconds)), 1),
        "p50_ms": _wrk_ms(re.search(r"\s50%\s+([\d.]+\w+)", output).group(1)),
        "p99_ms": _wrk_ms(re.search(r"\s99%\s+([\d.]+\w+)", output).group(1)),
        "refused": refused,
    }


def _per_reservation(figures: dict, cpu_seconds: float, seconds: float) -> None:
    reservations = figures["reservations_per_s"] * max(1, round(seconds))
    figures["cpu_ms_per_reservation"] = round(1000 * cpu_seconds / max(1, reservations), 3)


async def _written_down(session_id: str) -> None:
    """The Redis path is idle once its session's stream is empty: every reservation taken
    in Redis is a row (at most two minutes: a write-down stuck longer is what the check
    reports)."""
    from redis.asyncio import Redis

    from services.campaigns.flash.stock import stream

    redis = Redis.from_url(REDIS)
    try:
        for _ in range(120):
            if not await redis.xlen(stream(UUID(session_id))):
                break
            await asyncio.sleep(1)
    finally:
        await redis.aclose()


async def _oversell(database: str, item_id: UUID, left: Callable[[], Awaitable[int]]) -> dict:
    """Zero oversell, read once the service is idle (requests still in flight when wrk
    stops would skew a count against the stock left): every unit taken is a reservation
    and no customer holds more than the limit."""
    connection = await asyncpg.connect(f"{PG}/{database}")
    try:

        async def reserved() -> int:
            return await connection.fetchval(
                "SELECT coalesce(sum(quantity), 0) FROM flash_reservations WHERE item_id = $1",
                item_id,
            )

        last, deadline = -1, time.monotonic() + 120
        while (count := await reserved()) != last and time.monotonic() < deadline:
            last = count
            await asyncio.sleep(2)
        stock_left = await left()
        most = await connection.fetchval(
            "SELECT coalesce(max(n), 0) FROM (SELECT sum(quantity) AS n FROM flash_reservations"
            " WHERE item_id = $1 GROUP BY customer_id) AS held",
            item_id,
        )
    finally:
        await connection.close()
    return {
        "reserved": count,
        "left": stock_left,
        "zero_oversell": count + stock_left == STOCK and most <= LIMIT,
        "most_held_by_one_customer": most,
    }


async def _drop(database: str) -> None:
    connection = await asyncpg.connect(f"{PG}/postgres")
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    finally:
        await connection.close()


def _path(
    mode: str,
    seconds: float,
    directory: Path,
    jwks_url: str,
    operator: str,
    tokens: Path,
    script: Path,
) -> dict:
    database = f"flash_bench_{mode}_{new_id().hex[-10:]}"
    bare_session, sessions = new_id(), []
    env = {
        "CAMPAIGNS_DATABASE_URL": f"postgresql+asyncpg://postgres@127.0.0.1:5432/{database}",
        "CAMPAIGNS_KAFKA_ENABLED": "false",
        "FLYWHEEL_JWKS_URL": jwks_url,
        "REDIS_URL": REDIS if mode == "redis" else None,
    }
    try:
        with ExitStack() as stack:
            service = stack.enter_context(
                # Migrations run at start: on a loaded machine that takes a while.
                _serve("services.campaigns.app:create_app", env, directory / f"{mode}.log", 120)
            )
            hot, bare_sku = str(new_id()), str(new_id())
            sessions.append(bare_session)
            now = datetime.now(UTC)
            created = httpx.post(
                f"{service}/api/v1/campaigns/flash/sessions",
                headers={"Authorization": f"Bearer {operator}"},
                json={
                    "name": "bench",
                    "starts_at": (now - timedelta(minutes=1)).isoformat(),
                    "ends_at": (now + timedelta(hours=1)).isoformat(),
                    "reservation_minutes": 60,
                    "items": [
                        {
                            "sku_id": sku,
                            "flash_price": {"amount": 9_90, "currency": "CNY"},
                            "stock": STOCK,
                            "per_user_limit": LIMIT,
                        }
                        for sku in (hot, bare_sku)
                    ],
                },
                timeout=30,
            )
            created.raise_for_status()
            session_id = created.json()["id"]
            items = asyncio.run(_items(database, session_id))
            asyncio.run(_held(database, session_id))
            bare = stack.enter_context(
                _serve(
                    "bench.flash_sale:bare_app",
                    {
                        "BENCH_MODE": mode,
                        "BENCH_ITEM_ID": str(items[UUID(bare_sku)]),
                        "BENCH_SESSION_ID": str(bare_session),
                        "BENCH_DATABASE_URL": env["CAMPAIGNS_DATABASE_URL"],
                    },
                    directory / f"{mode}-bare.log",
                )
            )
            load = {
                "BENCH_TOKENS": str(tokens),
                "BENCH_BODY": json.dumps({"sku_id": hot}),
                "BENCH_PATH": f"/api/v1/campaigns/flash/{session_id}/reservations",
                "BENCH_KEYS": os.environ.get(
                    "BENCH_KEYS", "1"
                ),  # as retrying clients do: a new Idempotency-Key each
            }
            sessions.append(UUID(session_id))
            probe = httpx.post(
                service + load["BENCH_PATH"],
                headers={"Authorization": f"Bearer {tokens.read_text().split()[0]}"},
                json={"sku_id": hot},
                timeout=30,
            )
            if probe.status_code != 201:
                raise RuntimeError(f"a reservation was refused: {probe.status_code} {probe.text}")
            _wrk(service + load["BENCH_PATH"], 2.0, load, script, connections=16)  # warm up
            cpu = _cpu(service)
            through = _wrk(service + load["BENCH_PATH"], seconds, load, script)

            async def left() -> int:  # as the storefront reads it: Redis's count or the row's
                async with httpx.AsyncClient(timeout=60) as client:
                    shown = await client.get(
                        f"{service}/api/v1/campaigns/flash/sessions/{session_id}"
                    )
                return next(i["left"] for i in shown.json()["items"] if i["sku_id"] == hot)

            if mode == "redis":
                asyncio.run(_written_down(session_id))
            check = asyncio.run(_oversell(database, items[UUID(hot)], left))
            # Once idle: with the write-down of what the run reserved.
            _per_reservation(through, _cpu(service) - cpu, seconds)
            bare_load = {**load, "BENCH_PATH": "/bare", "BENCH_BODY": "{}", "BENCH_KEYS": "0"}
            _wrk(bare + "/bare", 2.0, bare_load, script, connections=16)
            cpu = _cpu(bare + "/bare")
            limit = _wrk(bare + "/bare", seconds, bare_load, script)
            _per_reservation(limit, _cpu(bare + "/bare") - cpu, seconds)
    finally:
        asyncio.run(_drop(database))
        asyncio.run(_forget(sessions))
    return {
        "service": through,
        "bare": limit,
        "share_of_bare": round(through["reservations_per_s"] / limit["reservations_per_s"], 3),
        # Robust to a loaded machine: the bare route's CPU per reservation over the route's
        # (what the share would be with the CPU to itself, both CPU-bound).
        "cpu_share_of_bare": round(
            limit["cpu_ms_per_reservation"] / through["cpu_ms_per_reservation"], 3
        ),
        **check,
    }


async def _forget(sessions: list[UUID]) -> None:
    """Drop the Redis keys of the sessions the run made (the bare route's stream grows)."""
    from redis.asyncio import Redis

    redis = Redis.from_url(REDIS)
    try:
        for session_id in sessions:
            async for name in redis.scan_iter(match=f"{{flash:{session_id}}}:*"):
                await redis.delete(name)
    finally:
        await redis.aclose()


async def _items(database: str, session_id: str) -> dict[UUID, UUID]:
    connection = await asyncpg.connect(f"{PG}/{database}")
    try:
        rows = await connection.fetch(
            "SELECT sku_id, id FROM flash_items WHERE session_id = $1", UUID(session_id)
        )
    finally:
        await connection.close()
    return {row["sku_id"]: row["id"] for row in rows}


async def _held(database: str, session_id: str) -> None:
    """The session on sale as the catalog's `flash_stock.held` for each item would put it
    (no broker and no catalog here)."""
    connection = await asyncpg.connect(f"{PG}/{database}")
    try:
        async with connection.transaction():
            await connection.execute(
                "UPDATE flash_items SET hold = 'held' WHERE session_id = $1", UUID(session_id)
            )
            await connection.execute(
                "UPDATE flash_sessions SET state = 'held' WHERE id = $1", UUID(session_id)
            )
    finally:
        await connection.close()


def run(quick: bool) -> dict:
    seconds = 5.0 if quick else 15.0
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        directory = Path(tmp)
        jwks, [operator], tokens = signing(directory, customers=CUSTOMERS)
        script = directory / "reserve.lua"
        script.write_text(SCRIPT)
        keys = stack.enter_context(
            _serve(
                "bench.gateway:upstream_app", {"BENCH_JWKS_FILE": str(jwks)}, directory / "jwks.log"
            )
        )
        jwks_url = keys + "/api/v1/users/.well-known/jwks.json"
        paths = {
            mode: _path(mode, seconds, directory, jwks_url, operator, tokens, script)
            for mode in ("redis", "database")
        }
    return {
        "benchmark": "flash_sale",
        "client": f"wrk (Debian, 1 thread, {CONNECTIONS} connections, {CUSTOMERS} customers)",
        "idempotency_keys": "a new Idempotency-Key on every reservation through the service",
        "workers": {"service": 1, "bare": 1},
        "seconds_per_run": seconds,
        "machine": machine()["summary"],
        "revision": revision(("services/campaigns", "chassis")),
        **paths,
        "targets": TARGETS,
        "met": {
            "redis_share_of_bare": paths["redis"]["share_of_bare"]
            >= TARGETS["redis_share_of_bare_min"],
            "database_reservations_per_s": paths["database"]["service"]["reservations_per_s"]
            >= TARGETS["database_reservations_per_s_min"],
            "zero_oversell": all(p["zero_oversell"] for p in paths.values()),
        },
    }


def _print(result: dict) -> None:
    print(f"client: {result['client']}; one uvicorn worker each; {result['machine']}")
    print(
        f"\n{'path':<28}{'reserved/s':>12}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}"
        f"{'CPU ms each':>13}"
    )
    for mode in ("redis", "database"):
        for name in ("service", "bare"):
            row = result[mode][name]
            print(
                f"{mode + ', ' + name:<28}{row['reservations_per_s']:>12.0f}"
                f"{row['requests_per_s']:>10.0f}{row['p50_ms']:>10.2f}{row['p99_ms']:>10.2f}"
                f"{row['cpu_ms_per_reservation']:>13.3f}"
            )
        path = result[mode]
        print(
            f"  {mode}: {path['share_of_bare']:.0%} of its bare route "
            f"({path['cpu_share_of_bare']:.0%} by CPU per reservation); {path['reserved']} "
            f"reserved, {path['left']} left of {STOCK}: "
            f"{'zero oversell' if path['zero_oversell'] else 'OVERSOLD'}"
        )


def main(argv: list[str]) -> None:
    result = run(quick="--quick" in argv)
    _print(result)
    finish("flash_sale", result)


if __name__ == "__main__":
    main(sys.argv[1:])
