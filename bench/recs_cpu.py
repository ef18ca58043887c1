"""The home feed's CPU in process: what one feed costs the service, measured with
`time.process_time` over sequential requests, so the figure moves little with the
machine's load (unlike latency under a fixed offered rate, bench/recs.py).

`python -m bench.recs_cpu [--quick] [--feeds N] [--readers R] [--keep NAME] [--profile OUT]`.
Loads bench/recs.py's seeded population into a fresh PostgreSQL database (or reuses the one
`--keep` names, loading it the first time and leaving it for the next run), starts the
content service in this process (its lifespan over uvicorn, so it trains its snapshot as at
start), then asks the app directly (httpx's ASGI transport: the whole request, routing,
auth, the feed and its JSON, without a socket) for N first pages of `R` users with history
in turn, after a warm-up round. PostgreSQL's own CPU is not counted. `--profile` writes a
cProfile of the measured feeds. Ends with `RESULT {json}` (also bench/results/recs_cpu.json).
"""

import argparse
import asyncio
import cProfile
import json
import os
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

import asyncpg
import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from bench.common import finish, machine, migrate, revision
from bench.flash_sale import PG, _drop
from bench.gateway import _serve
from bench.recs import HOME, _reads, load, population


async def _exists(database: str) -> bool:
    connection = await asyncpg.connect(f"{PG}/postgres")
    try:
        return bool(await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1",
                                              database))  # fmt: skip
    finally:
        await connection.close()


PHASES = {  # module, function: the parts of a feed timed with --phases
    "services.content.feeds.service": ["_history", "_picks", "rank", "rank_page"],
    "services.content.feeds.shelf": ["Shelf.newest", "Shelf.candidates", "Shelf.posts"],
    "services.content.feeds.api": ["_page"],
}


def _timed(spent: dict) -> None:
    """Wrap the PHASES to add their CPU time to `spent` (feeds run one at a time, so an
    awaited phase's time is its own, the background loops' aside)."""
    import functools
    import importlib
    import inspect

    for module_name, names in PHASES.items():
        module = importlib.import_module(module_name)
        for name in names:
            owner, _, attribute = name.rpartition(".")
            holder = getattr(module, owner) if owner else module
            original = getattr(holder, attribute, None)
            if original is None:
                continue
            if inspect.iscoroutinefunction(original):

                async def wrapper(*a, _f=original, _n=name, **k):
                    started = time.process_time()
                    try:
                        return await _f(*a, **k)
                    finally:
                        spent[_n] = spent.get(_n, 0.0) + time.process_time() - started

            else:

                def wrapper(*a, _f=original, _n=name, **k):
                    started = time.process_time()
                    try:
                        return _f(*a, **k)
                    finally:
                        spent[_n] = spent.get(_n, 0.0) + time.process_time() - started

            setattr(holder, attribute, functools.wraps(original)(wrapper))


async def _backends_cpu(database: str) -> float:
    """CPU seconds used so far by PostgreSQL's backends connected to `database`."""
    connection = await asyncpg.connect(f"{PG}/postgres")
    try:
        pids = await connection.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = $1", database
        )
    finally:
        await connection.close()
    return _cpu_of([pid for (pid,) in pids])


def _cpu_of(pids: list[int]) -> float:
    ticks, total = os.sysconf("SC_CLK_TCK"), 0.0
    for pid in pids:
        fields = _reads(Path(f"/proc/{pid}/stat")).rsplit(")", 1)[-1].split()
        if len(fields) > 12:
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


async def _measure(url: str, jwks: str, tokens: list[str], args) -> dict:
    from chassis.testing import ServiceServer
    from services.content.app import create_app
    from services.content.settings import Settings

    settings = Settings(
        database_url=url,
        kafka_enabled=False,
        migrate_on_start=False,
        jwks_url=jwks,
        recommender_retrain_seconds=86_400,
        redis_url=None,
    )
    app = create_app(settings)
    server = await ServiceServer(app).start()
    try:
        model = app.state.recommender
        started = time.perf_counter()
        while model.snapshot is None:
            if time.perf_counter() - started > 600:
                raise RuntimeError("the recommender did not train")
            await asyncio.sleep(0.2)
        trained = round(time.perf_counter() - started, 1)
        transport = httpx.ASGITransport(app=app)
        readers = tokens[: args.readers]
        async with httpx.AsyncClient(transport=transport, base_url="http://content") as client:

            async def feed(n: int) -> None:
                headers = {"Authorization": f"Bearer {readers[n % len(readers)]}"}
                response = await client.get(HOME, headers=headers, params={"limit": 20})
                response.raise_for_status()
                assert response.json()["items"], "a measured reader got an empty feed"

            for n in range(len(readers)):  # warm-up: every reader once, the shelf filled
                await feed(n)
            spent: dict[str, float] = {}
            if args.phases:
                _timed(spent)
            profile = cProfile.Profile() if args.profile else None
            database = url.rsplit("/", 1)[-1]
            pg = await _backends_cpu(database)
            cpu, wall = time.process_time(), time.perf_counter()
            if profile:
                profile.enable()
            for n in range(args.feeds):
                await feed(n)
            if profile:
                profile.disable()
                profile.dump_stats(args.profile)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            pg = await _backends_cpu(database) - pg
    finally:
        await server.stop()
    return {
        "trained_in_s": trained,
        "feeds": args.feeds,
        "readers": len(readers),
        "cpu_ms_per_feed": round(cpu * 1000 / args.feeds, 2),
        "wall_ms_per_feed": round(wall * 1000 / args.feeds, 2),
        "postgresql_cpu_ms_per_feed": round(pg * 1000 / args.feeds, 2),
        "phases_cpu_ms_per_feed": {k: round(v * 1000 / args.feeds, 2) for k, v in spent.items()},
    }


def run(args) -> dict:
    database = args.keep or f"recs_cpu_{uuid.uuid4().hex[-10:]}"
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{database}"
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        directory = Path(tmp)
        # The kept database's readers are the first run's: their ids are in a file beside it.
        ids_file = Path(tempfile.gettempdir()) / f"{database}.readers"
        try:
            if not (args.keep and asyncio.run(_exists(database)) and ids_file.exists()):
                measured = [uuid.uuid4() for _ in range(100)]
                asyncio.run(migrate(url, "content"))
                posts, user, post, like, user_ids, _ = population(
                    args.items, args.interactions, measured
                )
                asyncio.run(load(database, posts, user, post, like, user_ids))
                ids_file.write_text("\n".join(map(str, measured)))
            jwks_file, tokens = _keys(directory, ids_file.read_text().split())
            jwks = stack.enter_context(
                _serve("bench.gateway:upstream_app", {"BENCH_JWKS_FILE": str(jwks_file)},
                       directory / "jwks.log")
            )  # fmt: skip
            figures = asyncio.run(
                _measure(url, jwks + "/api/v1/users/.well-known/jwks.json", tokens, args)
            )
        finally:
            if not args.keep:
                asyncio.run(_drop(database))
    return {
        "benchmark": "recs_cpu",
        "machine": machine()["summary"],
        "revision": revision(("services/content", "chassis")),
        "items": args.items,
        "interactions": args.interactions,
        **figures,
    }


def _keys(directory: Path, ids: list[str]) -> tuple[Path, list[str]]:
    """A signing key's JWKS and a customer token for each of `ids`."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    jwks = directory / "jwks.json"
    jwks.write_text(json.dumps({"keys": [{**jwk, "kid": "bench", "alg": "RS256"}]}))
    at = int(time.time())
    claims = {"iss": "flywheel-users", "aud": "flywheel", "typ": "access", "roles": ["customer"]}
    claims |= {"iat": at, "exp": at + 3600}
    tokens = [jwt.encode({**claims, "sub": i}, key, "RS256", headers={"kid": "bench"}) for i in ids]
    return jwks, tokens


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.recs_cpu")
    parser.add_argument("--quick", action="store_true", help="10,000 posts, 200,000 interactions")
    parser.add_argument("--items", type=int)
    parser.add_argument("--interactions", type=int)
    parser.add_argument("--feeds", type=int, default=300)
    parser.add_argument("--readers", type=int, default=100)
    parser.add_argument("--keep", help="a database to reuse (loaded the first time, kept)")
    parser.add_argument("--profile", help="write a cProfile of the measured feeds here")
    parser.add_argument("--phases", action="store_true", help="time the feed's parts")
    args = parser.parse_args(argv)
    args.items = args.items or (10_000 if args.quick else 50_000)
    args.interactions = args.interactions or (200_000 if args.quick else 1_000_000)
    result = run(args)
    print(
        f"{result['feeds']} feeds of {result['readers']} readers in turn, "
        f"{args.items:,} posts, {args.interactions:,} interactions: "
        f"{result['cpu_ms_per_feed']} ms CPU, {result['wall_ms_per_feed']} ms wall per feed, "
        f"PostgreSQL {result['postgresql_cpu_ms_per_feed']} ms CPU; parts "
        f"{result['phases_cpu_ms_per_feed']}"
    )
    finish("recs_cpu", result)


if __name__ == "__main__":
    main()
