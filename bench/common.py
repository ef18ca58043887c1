"""Helpers shared by the benchmarks: machine facts, percentiles, and the closing RESULT line."""

import json
import math
import os
import platform
import subprocess
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


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


def finish(name: str, result: dict) -> None:
    """Write the figures to bench/results/<name>.json and print the closing RESULT line."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2))
    print("RESULT " + json.dumps(result), flush=True)
