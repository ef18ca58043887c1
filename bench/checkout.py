"""Benchmark: checkout through the gateway and the order saga, on PostgreSQL with the real
broker, beside the bare limit of one order insert with its outbox row.

`python -m bench.checkout [--quick]`. Catalog and orders run as one uvicorn worker each on
PostgreSQL (fresh databases, dropped after) with a Tansu broker, behind the gateway; a
signing key of the bench's own stands in for users (its JWKS served beside them). Three runs:

- placement: `wrk` (one thread, a Lua script rotating 500 customers' tokens) posts orders of
  one SKU through the gateway, then straight to orders, as fast as they answer; orders/s are
  the 201s per second;
- the saga at a fixed offered rate (100 orders/s, an open-loop asyncio client in this
  process): the time from placement to awaiting payment, as the order's own history records
  it (`orders.placed_at` to its `awaiting_payment` step: catalog reserved the stock over the
  broker), p50 and p99; and the SQL statements every service executed meanwhile (counted by a
  SQLAlchemy `before_cursor_execute` listener in each service process, background loops —
  outbox relays, schedulers — included), per order;
- bare: a route that inserts one order (its line and its first step) with its outbox row in
  one transaction, and nothing else, loaded like the placement.

Ends with one line `RESULT {json}` (also bench/results/checkout.json).
"""

import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from uuid import UUID

import asyncpg
import httpx
from fastapi import FastAPI
from fastapi.responses import Response

from bench.common import finish, machine, percentiles, revision, signing
from bench.gateway import _serve, _wrk_ms
from chassis.ids import new_id
from contracts.manifest import NAMES

PG = "postgresql://postgres@127.0.0.1:5432"
OFFERED_RATE = 100  # orders/s for the saga's latency
CUSTOMERS = 500
IDLE_SECONDS = 5.0
STOCK = 10_000_000
TARGETS = {
    "orders_per_s_min": 200,
    "saga_p99_ms_max": 500,
    "statements_per_order_max": 40,
}
SCRIPT = """
local tokens = {}
for line in io.lines(os.getenv("BENCH_TOKENS")) do tokens[#tokens + 1] = line end
local body, path, n = os.getenv("BENCH_BODY"), os.getenv("BENCH_PATH"), 0
request = function()
  n = n + 1
  local headers = {["Content-Type"] = "application/json"}
  headers["Authorization"] = "Bearer " .. tokens[(n % #tokens) + 1]
  return wrk.format("POST", path, headers, body)
end
"""
ORDERS = "/api/v1/orders/orders"


# --- what runs in the service processes ------------------------------------------------------


def _counted(app: FastAPI) -> FastAPI:
    """Count every statement the process sends to its database; `GET /bench/statements`."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    count = {"statements": 0}

    @event.listens_for(Engine, "before_cursor_execute")
    def _count(*_args) -> None:
        count["statements"] += 1

    @app.get("/bench/statements", include_in_schema=False)
    async def statements() -> dict:
        return count

    return app


def catalog_app() -> FastAPI:
    from services.catalog.app import create_app

    return _counted(create_app())


def orders_app() -> FastAPI:
    from services.orders.app import create_app

    return _counted(create_app())


def bare_app() -> FastAPI:
    """The stack's limit for placing an order: the order, its line and its first step, and
    its outbox row, in one transaction; no pricing, no idempotency key, no read."""
    from chassis.clock import now
    from chassis.db import Database
    from chassis.events import outbox
    from chassis.money import Money
    from contracts.orders import OrderLine, OrderPlaced
    from services.orders.checkout.lifecycle import OrderStatus
    from services.orders.checkout.models import Order, OrderLineRow, OrderStep

    db = Database(os.environ["BENCH_DATABASE_URL"], service="bench")
    price, sku = Money(amount=1999, currency="CNY"), new_id()
    app = FastAPI()

    @app.post("/bare")
    async def bare() -> Response:
        line = OrderLine(sku_id=sku, quantity=1, list_price=price, unit_price=price, paid=price)
        async with db.session() as session:
            order = Order(
                customer_id=new_id(),
                total=price,
                points=0,
                attribution={},
                lines=[OrderLineRow.from_contract(0, line)],
                history=[OrderStep(status=OrderStatus.PLACED, cause="bench")],
            )
            session.add(order)
            await session.flush()
            await outbox.add(
                session,
                OrderPlaced(
                    order_id=order.id,
                    customer_id=order.customer_id,
                    lines=[line],
                    total=price,
                    placed_at=now(),
                ),
            )
            await session.commit()
        return Response(status_code=201)

    @app.get("/healthz")
    async def healthz() -> dict:
        return {"status": "ok"}

    return app


def _wrk(url: str, seconds: float, env: dict, script: Path, connections: int) -> dict:
    """wrk's figures, and how many requests it gave up on (its 10 s timeout): a service
    slower than that answers nothing wrk counts."""
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
    result = _parse_wrk(output, seconds)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    result["timeouts"] = int(errors.group(4)) if errors else 0
    result["socket_errors"] = errors.group(0) if errors else None
    return result


def _parse_wrk(output: str, seconds: float) -> dict:
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    refused = int(non_2xx.group(1)) if non_2xx else 0
    return {
        "reservations_per_s": round((requests - refused) / max(1, round(seconds)), 1),
        "p50_ms": _wrk_ms(re.search(r"\s50%\s+([\d.]+\w+)", output).group(1)),
        "p99_ms": _wrk_ms(re.search(r"\s99%\s+([\d.]+\w+)", output).group(1)),
        "refused": refused,
    }


# --- the run -----------------------------------------------------------------------------------


def _listed_sku(catalog: str, operator: str, reviewer: str) -> str:
    """A product of one SKU (its id), in stock, submitted and approved: listed."""

    def call(method: str, path: str, token: str, body: dict | None = None) -> dict:
        response = httpx.request(
            method,
            f"{catalog}/api/v1/catalog{path}",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
        if response.status_code >= 300:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text}")
        return response.json() if response.content else {}

    product = call(
        "POST",
        "/products",
        operator,
        {"name": "Bench tea", "brand": "Flywheel", "price": {"amount": 1999, "currency": "CNY"}},
    )
    sku = product["id"]
    call(
        "POST",
        f"/inventory/skus/{sku}/adjustments",
        operator,
        {"delta": STOCK, "reason": "receipt", "note": "bench"},
    )
    call("POST", f"/products/{sku}/submit", operator)
    call("POST", f"/products/{sku}/approve", reviewer)
    return sku


def _known_to_orders(gateway: str, token: str, body: dict) -> None:
    """Wait until orders' read model has the SKU (catalog's events went over the broker)."""
    deadline = time.monotonic() + 120
    while True:
        placed = httpx.post(
            gateway + ORDERS, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        if placed.status_code == 201:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"orders never took the SKU: {placed.status_code} {placed.text}")
        time.sleep(0.5)


async def _statements(urls: list[str]) -> int:
    async with httpx.AsyncClient(timeout=30) as client:
        counts = [(await client.get(f"{url}/bench/statements")).json() for url in urls]
    return sum(c["statements"] for c in counts)


async def _settled(database: str, since_ids: set[UUID] | None = None, within: float = 300) -> int:
    """Wait until no order is left `placed` (the saga answered every one); how many there are."""
    connection = await asyncpg.connect(f"{PG}/{database}")
    try:
        deadline = time.monotonic() + within
        while await connection.fetchval("SELECT count(*) FROM orders WHERE status = 'placed'"):
            if time.monotonic() > deadline:
                raise RuntimeError("orders still placed after the wait")
            await asyncio.sleep(0.5)
        return await connection.fetchval("SELECT count(*) FROM orders")
    finally:
        await connection.close()


async def _offered(gateway: str, tokens: list[str], body: dict, seconds: float) -> list[str]:
    """Place orders at OFFERED_RATE for `seconds` (open loop: a request leaves on time whether
    or not the earlier ones answered); the ids of those placed."""
    placed: list[str] = []
    failures: dict[int | str, int] = {}
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=gateway, timeout=30, limits=limits) as client:

        async def one(n: int) -> None:
            headers = {"Authorization": f"Bearer {tokens[n % len(tokens)]}"}
            try:
                response = await client.post(ORDERS, json=body, headers=headers)
            except httpx.HTTPError as error:  # counted, not fatal: the run reports them
                failures[type(error).__name__] = failures.get(type(error).__name__, 0) + 1
                return
            if response.status_code == 201:
                placed.append(response.json()["id"])
            else:
                failures[response.status_code] = failures.get(response.status_code, 0) + 1

        start, tasks = time.perf_counter(), []
        for n in range(int(OFFERED_RATE * seconds)):
            delay = start + n / OFFERED_RATE - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(n)))
        await asyncio.gather(*tasks)
    if failures:
        print(f"  offered run: refused {failures}", flush=True)
    return placed


async def _saga_latency(database: str, order_ids: list[str]) -> dict:
    connection = await asyncpg.connect(f"{PG}/{database}")
    try:
        rows = await connection.fetch(
            "SELECT o.status, extract(epoch FROM s.at - o.placed_at) AS seconds FROM orders o"
            " LEFT JOIN order_steps s ON s.order_id = o.id AND s.status = 'awaiting_payment'"
            " WHERE o.id = ANY($1::uuid[])",
            [UUID(i) for i in order_ids],
        )
    finally:
        await connection.close()
    waits = [float(r["seconds"]) for r in rows if r["seconds"] is not None]
    return {
        **percentiles(waits),
        "awaiting_payment": len(waits),
        "cancelled": sum(r["status"] == "cancelled" for r in rows),
    }


async def _drop(databases: list[str]) -> None:
    connection = await asyncpg.connect(f"{PG}/postgres")
    try:
        for database in databases:
            await connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    finally:
        await connection.close()


def run(quick: bool) -> dict:
    from chassis.broker import TansuBroker
    from contracts import load_contracts

    seconds = 5.0 if quick else 15.0
    suffix = new_id().hex[-10:]
    databases = {name: f"checkout_bench_{name}_{suffix}" for name in ("catalog", "orders")}
    try:
        with (
            tempfile.TemporaryDirectory() as tmp,
            ExitStack() as stack,
            TansuBroker(topics=load_contracts().topics()) as broker,
        ):
            directory = Path(tmp)
            jwks, (operator, reviewer), tokens_file = signing(
                directory, operators=2, customers=CUSTOMERS
            )
            script = directory / "order.lua"
            script.write_text(SCRIPT)
            keys = stack.enter_context(
                _serve(
                    "bench.gateway:upstream_app",
                    {"BENCH_JWKS_FILE": str(jwks)},
                    directory / "jwks.log",
                )
            )
            common = {
                "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
                "FLYWHEEL_JWKS_URL": keys + "/api/v1/users/.well-known/jwks.json",
                "REDIS_URL": None,
            }
            urls = {}
            for name in ("catalog", "orders"):
                env = {
                    **common,
                    f"{name.upper()}_DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1:5432/"
                    + databases[name],
                }
                urls[name] = stack.enter_context(
                    _serve(f"bench.checkout:{name}_app", env, directory / f"{name}.log", 180)
                )
            unlimited = {"limit": 1_000_000_000, "window": 1}
            from gateway.settings import DEFAULT_RATE_LIMITS

            upstreams = dict.fromkeys(NAMES, keys) | urls
            gateway = stack.enter_context(
                _serve(
                    "gateway.app:create_app",
                    {
                        **common,
                        "GATEWAY_UPSTREAMS": json.dumps(upstreams),
                        "GATEWAY_DATABASE_URL": f"sqlite+aiosqlite:///{directory / 'gw.db'}",
                        "GATEWAY_RATE_LIMITS": json.dumps(
                            dict.fromkeys(DEFAULT_RATE_LIMITS, unlimited)
                        ),
                    },
                    directory / "gateway.log",
                    60,
                )
            )
            sku = _listed_sku(urls["catalog"], operator, reviewer)
            tokens = tokens_file.read_text().split()
            body = {"lines": [{"sku_id": sku, "quantity": 1}]}
            _known_to_orders(gateway, tokens[0], body)
            load = {"BENCH_TOKENS": str(tokens_file), "BENCH_BODY": json.dumps(body)}
            load["BENCH_PATH"] = ORDERS
            _wrk(gateway + ORDERS, 2.0, load, script, connections=16)  # warm up
            through_gateway = _wrk(gateway + ORDERS, seconds, load, script, connections=64)
            direct = _wrk(urls["orders"] + ORDERS, seconds, load, script, connections=64)
            existing = asyncio.run(_settled(databases["orders"]))

            services = list(urls.values())
            # The background loops' own statements (relays, schedulers), idle, per second:
            # counted as well, to tell them from what the orders cost.
            idle_from, idle_start = asyncio.run(_statements(services)), time.perf_counter()
            time.sleep(IDLE_SECONDS)
            before = asyncio.run(_statements(services))
            idle_per_s = (before - idle_from) / (time.perf_counter() - idle_start)
            started = time.perf_counter()
            offered = asyncio.run(_offered(gateway, tokens, body, seconds))
            # Orders the gateway gave up on (504) may have been placed all the same: count
            # what the database holds, not what the client heard.
            created = asyncio.run(_settled(databases["orders"])) - existing
            statements = asyncio.run(_statements(services)) - before
            background = round(idle_per_s * (time.perf_counter() - started))
            latency = asyncio.run(_saga_latency(databases["orders"], offered))

            bare = stack.enter_context(
                _serve(
                    "bench.checkout:bare_app",
                    {
                        "BENCH_DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1:5432/"
                        + databases["orders"]
                    },
                    directory / "bare.log",
                )
            )
            bare_load = {**load, "BENCH_PATH": "/bare", "BENCH_BODY": "{}"}
            _wrk(bare + "/bare", 2.0, bare_load, script, connections=16)
            limit = _wrk(bare + "/bare", seconds, bare_load, script, connections=64)
    finally:
        asyncio.run(_drop(list(databases.values())))
    placed_per_s = through_gateway["reservations_per_s"]
    per_order = round(statements / max(1, created), 1)
    net_per_order = round(max(0, statements - background) / max(1, created), 1)
    return {
        "benchmark": "checkout",
        "client": "wrk (Debian, 1 thread, 64 connections, 500 customers); offered rate: "
        "asyncio + httpx in the bench process",
        "workers": {"catalog": 1, "orders": 1, "gateway": 1, "bare": 1},
        "seconds_per_run": seconds,
        "load_average": os.getloadavg()[0],
        "machine": machine()["summary"],
        "revision": revision(("services/orders", "services/catalog", "chassis", "gateway")),
        "placement": {
            "through_gateway": _orders(through_gateway),
            "direct": _orders(direct),
            "bare_insert_with_outbox": _orders(limit),
            "share_of_bare": round(placed_per_s / max(1.0, limit["reservations_per_s"]), 3),
        },
        "saga": {
            "offered_per_s": OFFERED_RATE,
            "placed": len(offered),
            "created": created,
            "to_awaiting_payment_ms": latency,
            "statements": statements,
            "statements_per_order": per_order,
            "idle_background_statements": background,
            "statements_per_order_net_of_idle": net_per_order,
        },
        "targets": TARGETS,
        "met": {
            "orders_per_s": placed_per_s >= TARGETS["orders_per_s_min"],
            "saga_p99_ms": latency["p99"] is not None
            and latency["p99"] <= TARGETS["saga_p99_ms_max"],
            "statements_per_order": net_per_order <= TARGETS["statements_per_order_max"],
        },
    }


def _orders(wrk: dict) -> dict:
    return {
        "orders_per_s": wrk["reservations_per_s"],
        "p50_ms": wrk["p50_ms"],
        "p99_ms": wrk["p99_ms"],
        "refused": wrk["refused"],
        "timed_out": wrk.get("timeouts", 0),
        "socket_errors": wrk.get("socket_errors"),
    }


def _print(result: dict) -> None:
    print(f"client: {result['client']}; {result['machine']}; load {result['load_average']:.1f}")
    print(
        f"\n{'placement':<28}{'orders/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'refused':>9}"
        f"{'timed out':>11}"
    )
    placement = result["placement"]
    for name in ("through_gateway", "direct", "bare_insert_with_outbox"):
        row = placement[name]
        print(
            f"{name:<28}{row['orders_per_s']:>10.0f}{row['p50_ms']:>10.2f}"
            f"{row['p99_ms']:>10.2f}{row['refused']:>9}{row['timed_out']:>11}"
        )
    print(f"  through the gateway: {placement['share_of_bare']:.0%} of the bare insert")
    saga = result["saga"]
    wait = saga["to_awaiting_payment_ms"]
    print(
        f"\nsaga at {saga['offered_per_s']}/s offered: {saga['placed']} placed (201), "
        f"{saga['created']} in the database, "
        f"{wait['awaiting_payment']} awaiting payment, {wait['cancelled']} cancelled; "
        f"placement -> awaiting payment p50 {wait['p50']} ms, p99 {wait['p99']} ms"
    )
    print(
        f"SQL statements: {saga['statements']} across catalog and orders, "
        f"{saga['statements_per_order']} per order; the idle background loops would have run "
        f"{saga['idle_background_statements']} meanwhile: "
        f"{saga['statements_per_order_net_of_idle']} per order net of them"
    )


def main(argv: list[str]) -> None:
    result = run(quick="--quick" in argv)
    _print(result)
    finish("checkout", result)


if __name__ == "__main__":
    main(sys.argv[1:])
