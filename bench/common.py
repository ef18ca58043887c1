"""Mechanics shared by the benchmarks: machine facts, percentiles, load clients and whether
they were the bottleneck, tokens of a signing key of their own, the verdict, and the closing
RESULT line."""

import asyncio
import json
import math
import os
import platform
import resource
import subprocess
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import NoReturn

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from chassis.ids import new_id

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
# What a bare FastAPI ping reaches on this machine with wrk (docs/performance.md). A bare
# route loaded far below it says the load generator set the figures, not the server.
KNOWN_PING_RPS = float(os.environ.get("BENCH_KNOWN_PING_RPS", "6000"))
CLIENT_BOUND_SHARE = 0.5  # a bare route under half the known ping rate
CLIENT_CPU_SATURATED = 0.9  # a single-threaded client busy 90 % of a core or more


def machine() -> dict:
    """What the figures were measured on: usable cores (as `nproc`), CPU model, Python."""
    cpu = platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        models = [
            line.split(":", 1)[1].strip()
            for line in cpuinfo.read_text().splitlines()
            if line.startswith("model name")
        ]
        cpu = models[0] if models else cpu
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    python = platform.python_version()
    return {
        "nproc": cores,
        "cpu": cpu,
        "python": python,
        "summary": f"{cpu}, {cores} cores (nproc), Python {python}",
    }


def revision(paths: Sequence[str] = ("chassis",)) -> str | None:
    """The commit measured, with "+changes" when `paths` differ from it (None outside git)."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--", *paths],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return f"{commit}+uncommitted changes in {', '.join(paths)}" if changed else commit


def percentiles(samples: Sequence[float], scale: float = 1000.0) -> dict:
    """p50, p95, p99 and max of `samples` (seconds by default), scaled (to ms by default)."""
    if not samples:
        return {"count": 0, "p50": None, "p95": None, "p99": None, "max": None}
    ordered = sorted(samples)

    def at(share: float) -> float:
        # nearest rank: the smallest sample with at least `share` of the samples at or below it
        index = min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))
        return round(ordered[index] * scale, 2)

    return {
        "count": len(ordered),
        "p50": at(0.50),
        "p95": at(0.95),
        "p99": at(0.99),
        "max": round(ordered[-1] * scale, 2),
    }


def run_client(command: list[str], *, timeout: float) -> tuple[str, float]:
    """Run a load generator in a process of its own; return its output and the share of one
    core it used meanwhile (its CPU time over the wall time)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    output = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, check=True, timeout=timeout
    ).stdout
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return output, round(cpu / elapsed, 3)


def client_bottleneck(bare_rps: float, client_cpu: float) -> str | None:
    """Why the client, not the server, limited a run whose bare route reached `bare_rps`
    with the client busy `client_cpu` of a core; None if nothing says so."""
    reasons = []
    if bare_rps < CLIENT_BOUND_SHARE * KNOWN_PING_RPS:
        reasons.append(
            f"the bare route reached {bare_rps:,.0f} req/s, far below this machine's known "
            f"~{KNOWN_PING_RPS:,.0f}"
        )
    if client_cpu >= CLIENT_CPU_SATURATED:
        reasons.append(f"the client was busy {client_cpu:.0%} of a core")
    return "; ".join(reasons) or None


def passed(result: dict) -> bool:
    """Whether a run showed what it is for: every target met (a target not judged, None,
    is not met) and, where the benchmark checks it, every event applied exactly once."""
    met = result.get("met") or {}
    once = result.get("exactly_once", {}).get("ok", True)
    return bool(met) and all(value is True for value in met.values()) and once is True


def finish(name: str, result: dict) -> NoReturn:
    """Write the figures to bench/results/<name>.json, print the closing RESULT line, and
    exit non-zero unless the run `passed`: `make bench` fails on a missed target."""
    result["passed"] = passed(result)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2))
    print("RESULT " + json.dumps(result), flush=True)
    raise SystemExit(0 if result["passed"] else 1)


async def migrate(url: str, service: str) -> None:
    """Create the service's database at `url` if missing and bring it to its head."""
    import importlib

    from chassis import migrations
    from chassis.db import Database

    schema = importlib.import_module(f"services.{service}.app").SCHEMA
    db = Database(url, service="bench")
    try:
        await db.create_database_if_missing()
        await migrations.upgrade(db, schema)
    finally:
        await db.dispose()


def signing(
    directory: Path, *, operators: int = 1, customers: int = 500
) -> tuple[Path, list[str], Path]:
    """A signing key of the benchmark's own: its JWKS file (which `bench.gateway:upstream_app`
    serves as users' JWKS), `operators` operators' tokens, and a file of `customers`
    customers' tokens, one a line, each customer a new user id."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    jwks = directory / "jwks.json"
    jwks.write_text(json.dumps({"keys": [{**jwk, "kid": "bench", "alg": "RS256"}]}))
    now = int(time.time())

    def token(roles: list[str]) -> str:
        claims = {"iss": "flywheel-users", "aud": "flywheel", "sub": str(new_id())}
        claims |= {"typ": "access", "roles": roles, "iat": now, "exp": now + 3600}
        return jwt.encode(claims, key, "RS256", headers={"kid": "bench"})

    listing = directory / "tokens.txt"
    listing.write_text("\n".join(token(["customer"]) for _ in range(customers)) + "\n")
    return jwks, [token(["operator"]) for _ in range(operators)], listing


Send = Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]]


async def open_loop(send: Send, rate: float, seconds: float, request_timeout: float) -> dict:
    """`send(client, n)` at a fixed rate, each request timed from when it was due (open loop:
    a stall of the server is not hidden by the client waiting). Past the last due time plus
    `request_timeout`, what is still waiting failed."""
    count = int(rate * seconds)
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=500, max_keepalive_connections=500)
    async with httpx.AsyncClient(limits=limits, timeout=request_timeout) as client:
        start = time.perf_counter() + 0.1

        async def one(n: int) -> None:
            nonlocal errors
            due = start + n / rate
            try:
                response = await asyncio.wait_for(send(client, n), request_timeout)
                errors += response.status_code != 200
            except (httpx.HTTPError, TimeoutError):
                errors += 1
            latencies.append(time.perf_counter() - due)

        tasks = []
        for n in range(count):
            delay = start + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(n)))
        _, late = await asyncio.wait(
            tasks, timeout=max(0.0, start + seconds - time.perf_counter()) + request_timeout
        )
        for task in late:
            task.cancel()
        errors += len(late)
        latencies += [seconds + request_timeout] * len(late)
        elapsed = time.perf_counter() - start
    return {
        "offered_per_s": rate,
        "served_per_s": round((len(latencies) - errors) / elapsed, 1),
        "errors": errors,
        **{f"{k}_ms": v for k, v in percentiles(latencies).items() if k != "count"},
        "requests": len(latencies),
    }
