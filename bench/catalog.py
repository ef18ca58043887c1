"""Benchmark: storefront browse and Chinese search over 100,000 SKUs on PostgreSQL, each at a
fixed offered rate beside a bare route running the same SQL, and stock reservations per second
by 100 clients on one hot SKU beside the bare guarded update.

`python -m bench.catalog [--quick] [--skus N] [--rate R] [--seconds S]`. A synthetic assortment
(a two-level category tree, products of two SKUs each with Chinese names, brands, keywords and
stock, seeded) is loaded with COPY into a fresh catalog database, every product listed and
indexed as the service indexes it (`search.text`, the same segmentation). The catalog runs as
two uvicorn workers; so does a bare app of the same stack (FastAPI, uvicorn, `chassis.db` over
asyncpg) whose routes replay the exact statements the service ran for the same query
(recorded from the service's own code at start) and return the rows, nothing else.

- browse: a root category's subtree, a price range, `sort=price_asc`, a page of 20, rotating
  over the roots; search: Chinese queries (one in traditional characters), rotating.
- An open-loop client in its own process offers each at a fixed rate (200/s) and times each
  request from when it was due; then `wrk` (one thread, 32 connections) finds each route's
  throughput, the service's as a share of the bare route's.
- Reservations: 100 concurrent clients (asyncio tasks in this process sharing a pool of 30
  connections, one transaction each)
  reserve one unit of one hot SKU as the order saga does (`inventory.service.reserve`: the
  guarded update, the reservation's rows, its outbox event), then the same clients run only
  the guarded update; reservations per second of each.

Ends with one line `RESULT {json}` (also bench/results/catalog.json).
"""

import argparse
import asyncio
import functools
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack, asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import asyncpg
import httpx
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from bench.common import (
    finish,
    machine,
    migrate,
    open_loop,
    percentiles,
    revision,
    run_client,
    signing,
)
from bench.flash_sale import PG, _drop
from bench.gateway import _serve, _wrk_ms

TARGETS = {
    "browse_p99_ms_max": 50.0,
    "search_p99_ms_max": 100.0,
    "share_of_bare_min": 0.8,
}
PRODUCTS = "/api/v1/catalog/products"
WORKERS = 2
SKUS_PER_PRODUCT = 2
ROOTS, CHILDREN = 8, 8
RESERVING_CLIENTS = 100
RESERVING_CONNECTIONS = 30  # the clients share a pool, as a service's requests do
REQUEST_TIMEOUT = 30.0
HOT_STOCK = 10_000_000

ADJECTIVES = ["不锈钢", "真空", "便携", "大容量", "智能", "无线", "轻薄", "加厚", "儿童", "复古",
              "迷你", "防水", "简约", "高端", "家用", "户外"]  # fmt: skip
NOUNS = ["保温杯", "蓝牙耳机", "手机壳", "双肩背包", "充电宝", "运动鞋", "台灯", "茶壶",
         "羽绒服", "机械键盘", "电饭煲", "咖啡机", "移动电话", "行李箱", "床垫", "手表",
         "Thermos Bottle", "Desk Lamp", "Running Shoes", "Coffee Grinder"]  # fmt: skip
BRANDS = ["膳魔师", "小米", "华为", "安踏", "Thermos", "Anker", "Philips", "Muji", "苏泊尔",
          "美的"]  # fmt: skip
COLOURS = ["红", "蓝", "黑", "白"]
SEARCHES = ["保温杯", "蓝牙耳机", "不锈钢 保温杯", "保溫杯", "双肩背包", "充电宝", "运动鞋",
            "thermos"]  # fmt: skip


# --- the assortment ----------------------------------------------------------------------------


def assortment(skus: int, seed: int = 17) -> dict:
    """Categories (roots with children), products and their SKUs, as rows to COPY."""
    from services.catalog.search import text

    rng = random.Random(seed)
    pinyin = functools.lru_cache(maxsize=None)(text.pinyin)  # terms repeat across products
    now = datetime.now(UTC)
    creator = uuid.UUID(int=1)
    categories, roots, leaves = [], [], []
    for r in range(ROOTS):
        root = uuid.UUID(int=(r + 1) << 64)
        roots.append(root)
        categories.append((root, None, f"/{root.hex}/", f"品类{r}", "core", now))
        for c in range(CHILDREN):
            child = uuid.UUID(int=((r + 1) << 64) + c + 1)
            leaves.append(child)
            path = f"/{root.hex}/{child.hex}/"
            categories.append((child, root, path, f"品类{r}-{c}", "potential", now))
    products, sku_rows, stock, ledger, documents, terms = [], [], [], [], [], []
    for n in range(skus // SKUS_PER_PRODUCT):
        product_id = uuid.UUID(int=(1 << 100) + n)
        brand = rng.choice(BRANDS)
        name = f"{brand} {rng.choice(ADJECTIVES)}{rng.choice(ADJECTIVES)}{rng.choice(NOUNS)}"
        keywords = [rng.choice(NOUNS)]
        colours = rng.sample(COLOURS, SKUS_PER_PRODUCT)
        base = rng.randrange(1_000, 100_000)
        listed_at = now - timedelta(seconds=rng.randrange(90 * 86_400))
        prices = []
        for k, colour in enumerate(colours):
            sku_id = uuid.UUID(int=(2 << 100) + n * SKUS_PER_PRODUCT + k)
            price = base + k * 500
            prices.append(price)
            sku_rows.append(
                (sku_id, product_id, k, f"B{n}-{k}", json.dumps({"颜色": colour}), price, "CNY",
                 price // 2, price, None, 0, listed_at)
            )  # fmt: skip
            on_hand = rng.randrange(0, 200)
            stock.append((sku_id, on_hand, 0, 5))
            if on_hand:
                ledger.append((uuid.UUID(int=(3 << 100) + len(ledger)), sku_id, on_hand,
                               "initial", creator, listed_at))  # fmt: skip
        products.append(
            (product_id, name, None, brand, rng.choice(leaves), json.dumps({"颜色": colours}),
             "[]", json.dumps(keywords), "[]", "listed", min(prices), "CNY", 0, creator,
             listed_at, listed_at, listed_at)
        )  # fmt: skip
        words = text.document_tokens(name, brand, *keywords, *colours)
        plain = text.normalize(" ".join([name, brand, *keywords]))
        documents.append((product_id, " ".join(words), plain))
        # Suggestions are not measured: the words' terms, not each whole name's (its pinyin
        # would take most of the set-up).
        terms += [
            (product_id, t, p, i)
            for t in text.suggestion_terms(name, keywords)
            if t != text.normalize(name)
            for p, i in [pinyin(t)]
            if len(p) <= 240
        ]
    return {
        "categories": categories,
        "roots": roots,
        "products": products,
        "skus": sku_rows,
        "stock_levels": stock,
        "stock_ledger": ledger,
        "search_documents": documents,
        "search_terms": terms,
    }


COLUMNS = {
    "categories": ["id", "parent_id", "path", "name", "role", "created_at"],
    "products": ["id", "name", "description", "brand", "category_id", "attributes", "media",
                 "keywords", "scenario_tags", "state", "price_amount", "currency", "units_sold",
                 "created_by", "created_at", "updated_at", "listed_at"],
    "skus": ["id", "product_id", "position", "code", "attributes", "price_amount", "currency",
             "cost_amount", "list_amount", "sale_amount", "price_version", "created_at"],
    "stock_levels": ["sku_id", "on_hand", "reserved", "low_stock_threshold"],
    "stock_ledger": ["id", "sku_id", "delta", "reason", "created_by", "created_at"],
    "search_documents": ["product_id", "words", "text"],
    "search_terms": ["product_id", "term", "pinyin", "initials"],
}  # fmt: skip


async def load(database: str, rows: dict) -> dict:
    """COPY the assortment into the catalog's tables (categories first: rows refer to them);
    seconds taken per table."""
    taken = {}
    connection = await asyncpg.connect(f"{PG}/{database}")
    try:
        # updated_at of categories has no server default; COPY needs every NOT NULL column.
        rows["categories"] = [(*r, r[-1], uuid.UUID(int=1)) for r in rows["categories"]]
        columns = {**COLUMNS, "categories": [*COLUMNS["categories"], "updated_at", "created_by"]}
        for table in COLUMNS:
            started = time.perf_counter()
            await connection.copy_records_to_table(
                table, records=rows[table], columns=columns[table]
            )
            taken[table] = round(time.perf_counter() - started, 2)
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    return taken


def browse_queries(roots: list[uuid.UUID]) -> list[dict]:
    return [
        {"category": str(root), "min_price": 2_000, "max_price": 30_000, "sort": "price_asc",
         "limit": 20}
        for root in roots
    ]  # fmt: skip


def search_queries() -> list[dict]:
    return [{"q": q, "limit": 20} for q in SEARCHES]


# --- the bare routes ---------------------------------------------------------------------------


def bare_app() -> FastAPI:
    """The stack's own limit: the statements the browse route runs for each query, recorded
    from the service's own code at start, replayed on the same engine; the rows as JSON."""
    from sqlalchemy import event

    from chassis.db import Database
    from chassis.pagination import PageRequest
    from services.catalog.inventory import service as inventory
    from services.catalog.search import service as search
    from services.catalog.search.schemas import BrowseQuery

    db = Database(os.environ["BENCH_DATABASE_URL"], service="bench")
    queries = json.loads(os.environ["BENCH_QUERIES"])
    recorded: dict[str, list[list[tuple[str, tuple]]]] = {"browse": [], "search": []}

    async def record(params: dict) -> list[tuple[str, tuple]]:
        statements: list[tuple[str, tuple]] = []

        def capture(_conn, _cursor, statement, parameters, _context, _many) -> None:
            statements.append((statement, tuple(parameters or ())))

        event.listen(db.engine.sync_engine, "before_cursor_execute", capture)
        try:
            async with db.session() as session:
                params = dict(params)
                limit = params.pop("limit")
                found = await search.browse(session, BrowseQuery(**params), PageRequest(limit))
                await inventory.levels(session, [s.id for p in found.products for s in p.skus])
        finally:
            event.remove(db.engine.sync_engine, "before_cursor_execute", capture)
        # What a session does around them (BEGIN, ROLLBACK) the replay's session does too.
        return [(s, p) for s, p in statements if not s.lstrip().upper().startswith("BEGIN")]

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        for kind in recorded:
            recorded[kind] = [await record(q) for q in queries[kind]]
        yield
        await db.dispose()

    app = FastAPI(lifespan=lifespan)

    async def replay(statements: list[tuple[str, tuple]]) -> list[list]:
        async with db.session() as session:
            connection = await session.connection()
            return [
                [list(row) for row in (await connection.exec_driver_sql(sql, params)).all()]
                for sql, params in statements
            ]

    @app.get("/bare/{kind}/{n}")
    async def bare(kind: str, n: int) -> JSONResponse:
        variants = recorded[kind]
        results = await replay(variants[n % len(variants)])
        return JSONResponse({"rows": [len(rows) for rows in results]})

    @app.get("/healthz")
    async def healthz() -> dict:
        return {"status": "ok"}

    return app


# --- load --------------------------------------------------------------------------------------


def fixed_rate(urls: list[str], rate: float, seconds: float, directory: Path) -> dict:
    """The open-loop client, in a process of its own."""
    listing = directory / f"urls-{uuid.uuid4().hex[:8]}.txt"
    listing.write_text("\n".join(urls) + "\n")
    command = [sys.executable, "-m", "bench.catalog", "--client", str(listing), str(rate)]
    output = subprocess.run(
        [*command, str(seconds)],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + REQUEST_TIMEOUT + 120,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


WRK_SCRIPT = """
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end
"""


def saturated(base: str, paths: list[str], seconds: float, directory: Path) -> dict:
    """Closed loop: `wrk` with 32 connections rotating over `paths`; its throughput."""
    script = directory / "rotate.lua"
    script.write_text(WRK_SCRIPT)
    listing = directory / f"paths-{uuid.uuid4().hex[:8]}.txt"
    listing.write_text("\n".join(paths) + "\n")
    command = ["wrk", "-t1", "-c32", f"-d{max(1, round(seconds))}s", "--latency", "--timeout",
               "10s", "-s", str(script), base]  # fmt: skip
    os.environ["BENCH_PATHS"] = str(listing)
    output, client_cpu = run_client(command, timeout=seconds + 60)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": _wrk_ms(re.search(r"\s50%\s+([\d.]+\w+)", output).group(1)),
        "p99_ms": _wrk_ms(re.search(r"\s99%\s+([\d.]+\w+)", output).group(1)),
        "errors": int(non_2xx.group(1)) if non_2xx else 0,
        "client_cpu": client_cpu,
    }


# --- reservations ------------------------------------------------------------------------------


async def reservations(url: str, hot: uuid.UUID, seconds: float) -> dict:
    """100 clients reserving one unit of `hot` each, as the saga does, then the bare guarded
    update alone; reservations per second of each."""
    from sqlalchemy import text as sql

    from chassis.db import Database
    from contracts.catalog import StockReserved
    from services.catalog.inventory import service as inventory

    db = Database(url, service="catalog", pool_size=RESERVING_CONNECTIONS, max_overflow=0)
    ttl = timedelta(minutes=30)
    guarded = sql(
        "UPDATE stock_levels SET reserved = reserved + 1 WHERE sku_id = :sku "
        "AND on_hand - reserved >= 1 AND sku_id IN (SELECT skus.id FROM skus JOIN products "
        "ON products.id = skus.product_id WHERE products.state = 'listed')"
    )

    async def through_service() -> bool:
        async with db.session() as session, session.begin():
            answer = await inventory.reserve(session, uuid.uuid4(), [(hot, 1)], ttl)
        return isinstance(answer, StockReserved)

    async def bare() -> bool:
        async with db.session() as session, session.begin():
            return (await session.execute(guarded, {"sku": hot})).rowcount == 1

    async def run(step) -> dict:
        done = refused = 0
        latencies: list[float] = []
        deadline = time.perf_counter() + seconds

        async def client() -> None:
            nonlocal done, refused
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                if await step():
                    done += 1
                else:
                    refused += 1
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(RESERVING_CLIENTS)))
        elapsed = time.perf_counter() - started
        figures = percentiles(latencies)
        return {
            "reservations_per_s": round(done / elapsed, 1),
            "refused": refused,
            "p50_ms": figures["p50"],
            "p99_ms": figures["p99"],
        }

    try:
        await run_warm(db)
        service = await run(through_service)
        limit = await run(bare)
        async with db.session() as session:
            left = (
                await session.execute(
                    sql("SELECT on_hand, reserved FROM stock_levels WHERE sku_id = :sku"),
                    {"sku": hot},
                )
            ).one()
            held = await session.scalar(
                sql("SELECT coalesce(sum(quantity), 0) FROM reservation_lines WHERE sku_id = :s"),
                {"s": hot},
            )
    finally:
        await db.dispose()
    return {
        "clients": RESERVING_CLIENTS,
        "connections": RESERVING_CONNECTIONS,
        "service": service,
        "bare": limit,
        "share_of_bare": round(service["reservations_per_s"] / limit["reservations_per_s"], 3),
        # Every unit the service reserved has its reservation line; the bare updates have none.
        "reserved_matches_lines": left.reserved - held >= 0 and left.reserved <= left.on_hand,
    }


async def run_warm(db) -> None:
    from sqlalchemy import text as sql

    async def ping() -> None:
        async with db.session() as session:
            await session.execute(sql("SELECT 1"))

    await asyncio.gather(*(ping() for _ in range(RESERVING_CONNECTIONS)))


async def hot_sku(database: str, sku_id: uuid.UUID) -> None:
    connection = await asyncpg.connect(f"{PG}/{database}")
    try:
        await connection.execute(
            "UPDATE stock_levels SET on_hand = $2 WHERE sku_id = $1", sku_id, HOT_STOCK
        )
    finally:
        await connection.close()


# --- the run -----------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict:
    load_before = os.getloadavg()
    database = f"catalog_bench_{uuid.uuid4().hex[-10:]}"
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{database}"
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        directory = Path(tmp)
        jwks, _, _ = signing(directory)
        keys = stack.enter_context(
            _serve(
                "bench.gateway:upstream_app", {"BENCH_JWKS_FILE": str(jwks)}, directory / "jwks.log"
            )
        )
        env = {
            "CATALOG_DATABASE_URL": url,
            "CATALOG_KAFKA_ENABLED": "false",
            "CATALOG_MIGRATE_ON_START": "false",
            "FLYWHEEL_JWKS_URL": keys + "/api/v1/users/.well-known/jwks.json",
            "REDIS_URL": None,
        }
        try:
            asyncio.run(migrate(url, "catalog"))
            started = time.perf_counter()
            rows = assortment(args.skus)
            generated = round(time.perf_counter() - started, 2)
            started = time.perf_counter()
            tables = asyncio.run(load(database, rows))
            loaded = round(time.perf_counter() - started, 2)
            queries = {
                "browse": browse_queries(rows["roots"]),
                "search": search_queries(),
            }
            service = stack.enter_context(
                _serve("services.catalog.app:create_app", env, directory / "catalog.log", 120,
                       workers=WORKERS)
            )  # fmt: skip
            bare = stack.enter_context(
                _serve("bench.catalog:bare_app",
                       {"BENCH_DATABASE_URL": url, "BENCH_QUERIES": json.dumps(queries)},
                       directory / "bare.log", 120, workers=WORKERS)
            )  # fmt: skip
            routes, found = {}, {}
            for kind, variants in queries.items():
                paths = [f"{PRODUCTS}?{urlencode(q)}" for q in variants]
                bare_paths = [f"/bare/{kind}/{n}" for n in range(len(variants))]
                with httpx.Client(timeout=60) as client:  # warm up, and every query finds
                    found[kind] = [len(client.get(service + p).json()["items"]) for p in paths]
                    for p in bare_paths:
                        client.get(bare + p).raise_for_status()
                routes[kind] = {
                    "service": fixed_rate([service + p for p in paths], args.rate, args.seconds,
                                          directory),
                    "bare": fixed_rate([bare + p for p in bare_paths], args.rate, args.seconds,
                                       directory),
                    "service_saturated": saturated(service, paths, args.seconds, directory),
                    "bare_saturated": saturated(bare, bare_paths, args.seconds, directory),
                }  # fmt: skip
                r = routes[kind]
                r["share_of_bare"] = round(
                    r["service_saturated"]["requests_per_s"]
                    / r["bare_saturated"]["requests_per_s"],
                    3,
                )
            stack.pop_all().close()  # the servers stop: the reservations have the cores
            hot = rows["skus"][0][0]
            asyncio.run(hot_sku(database, hot))
            reserving = asyncio.run(reservations(url, hot, args.seconds))
        finally:
            asyncio.run(_drop(database))
    browse, search = routes["browse"], routes["search"]
    return {
        "benchmark": "catalog",
        "client": "fixed rate: an open-loop httpx client in its own process (latency from each "
        "request's due time); throughput: wrk (Debian, 1 thread, 32 connections); two uvicorn "
        "workers per server; reservations: 100 asyncio clients in the bench process, 30 "
        "connections",
        "machine": machine()["summary"],
        "load_average_before_after": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        "revision": revision(("services/catalog", "chassis")),
        "skus": len(rows["skus"]),
        "products": len(rows["products"]),
        "categories": len(rows["categories"]),
        "seconds_per_run": args.seconds,
        "setup_seconds": {"generate": generated, "copy": loaded, "tables": tables},
        "results_per_query": found,
        "browse": browse,
        "search": search,
        "reservations": reserving,
        "targets": TARGETS,
        "met": {
            "browse_p99": browse["service"]["p99_ms"] < TARGETS["browse_p99_ms_max"]
            and not browse["service"]["errors"],
            "search_p99": search["service"]["p99_ms"] < TARGETS["search_p99_ms_max"]
            and not search["service"]["errors"],
            "browse_share_of_bare": browse["share_of_bare"] >= TARGETS["share_of_bare_min"],
            "search_share_of_bare": search["share_of_bare"] >= TARGETS["share_of_bare_min"],
        },
    }


def _print(result: dict) -> None:
    print(f"{result['client']}; {result['machine']}")
    print(
        f"{result['skus']:,} SKUs, {result['products']:,} products, {result['categories']} "
        f"categories; load average before/after {result['load_average_before_after']}"
    )
    print(f"setup: {result['setup_seconds']}; results per query: {result['results_per_query']}")
    print(
        f"\n{'route':<22}{'offered/s':>10}{'served/s':>10}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'errors':>8}{'max req/s':>11}"
    )
    for kind in ("browse", "search"):
        for name in ("service", "bare"):
            row, top = result[kind][name], result[kind][f"{name}_saturated"]
            print(
                f"{kind + ', ' + name:<22}{row['offered_per_s']:>10.0f}{row['served_per_s']:>10.1f}"
                f"{row['p50_ms']:>9.2f}{row['p99_ms']:>9.2f}{row['errors']:>8}"
                f"{top['requests_per_s']:>11.0f}"
            )
        print(f"  {kind}: {result[kind]['share_of_bare']:.0%} of the bare route's throughput")
    r = result["reservations"]
    print(
        f"\nreservations, {r['clients']} clients on one SKU: service "
        f"{r['service']['reservations_per_s']:.0f}/s (p99 {r['service']['p99_ms']} ms), bare "
        f"guarded update {r['bare']['reservations_per_s']:.0f}/s (p99 {r['bare']['p99_ms']} ms): "
        f"{r['share_of_bare']:.0%}"
    )


def main(argv: list[str]) -> None:
    if argv[:1] == ["--client"]:
        listing, rate, seconds = argv[1:4]
        urls = Path(listing).read_text().split()
        figures = open_loop(
            lambda client, n: client.get(urls[n % len(urls)]),
            float(rate),
            float(seconds),
            REQUEST_TIMEOUT,
        )
        print(json.dumps(asyncio.run(figures)))
        return
    parser = argparse.ArgumentParser(prog="python -m bench.catalog")
    parser.add_argument("--quick", action="store_true", help="shorter runs (same 100,000 SKUs)")
    parser.add_argument("--skus", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=200.0, help="requests offered per second")
    parser.add_argument("--seconds", type=float)
    args = parser.parse_args(argv)
    args.seconds = args.seconds or (5.0 if args.quick else 20.0)
    result = run(args)
    _print(result)
    finish("catalog", result)


if __name__ == "__main__":
    main(sys.argv[1:])
