"""Mechanics shared by the benchmarks: machine facts, percentiles, load clients and whether
they were the bottleneck, the verdict, and the closing RESULT line."""

import json
import math
import os
import platform
import resource
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

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
