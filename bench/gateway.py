"""Benchmark: one read endpoint called directly and through the gateway, in one run.

`python -m bench.gateway [--quick]`. The upstream (a catalog-like product read), the gateway
and a bare FastAPI ping (the stack's own limit) each run as one uvicorn worker in its own
process; `wrk` loads them (an httpx client in its own process if `wrk` is missing). Two
phases with the same client settings for every target: throughput at a saturating
concurrency, and latency at concurrency 1, where the added p50 is the gateway's own cost
rather than queueing. A run whose client is the bottleneck (the bare ping far below this
machine's known rate, or the client's CPU saturated: the httpx fallback tops out near
470 req/s) says so in its table and RESULT (`client_bound`) and judges no target. Ends with
one line `RESULT {json}` (also in bench/results/gateway.json) and exits non-zero unless
every target was met.
"""

import asyncio
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

import aiohttp
import httpx
from fastapi import FastAPI
from yarl import URL

from bench.common import (
    ROOT,
    client_bottleneck,
    finish,
    machine,
    revision,
    run_client,
    signing,
)
from chassis.auth.openapi import declare_access
from contracts.manifest import NAMES
from gateway.settings import DEFAULT_RATE_LIMITS

HOST = "127.0.0.1"
PRODUCT = "/api/v1/catalog/products/018f2a3c-7d1e-7b9a-9c3e-5a1b2c3d4e5f"
JWKS_PATH = "/api/v1/users/.well-known/jwks.json"
TARGETS = {"throughput_ratio_min": 0.5, "added_p50_ms_max": 3.0}
SATURATING = 32


def upstream_app() -> FastAPI:
    """A catalog-like read: a product as JSON, the JWKS the gateway verifies tokens with, and
    the OpenAPI document that tells the gateway the read is public, as a chassis service's
    would (served under every service's name: the gateway learns each name's own paths)."""
    app = FastAPI(openapi_url=None)
    generate = app.openapi
    app.openapi = lambda: declare_access(app, generate())
    jwks = json.loads(Path(os.environ["BENCH_JWKS_FILE"]).read_text())

    @app.get("/api/v1/catalog/products/{product_id}")
    async def product(product_id: str) -> dict:
        return {
            "id": product_id,
            "sku": "FW-1001",
            "title": "Flywheel demo product",
            "price": {"amount": 1999, "currency": "EUR"},
            "state": "listed",
            "stock": 42,
        }

    @app.get(JWKS_PATH)
    async def keys() -> dict:
        return jwks

    @app.get("/healthz")
    async def healthz() -> dict:
        return {"status": "ok"}

    @app.get("/api/v1/{service}/openapi.json", include_in_schema=False)
    async def document(service: str) -> dict:
        return app.openapi()

    return app


def ping_app() -> FastAPI:
    app = FastAPI()

    @app.get("/healthz")
    async def ping() -> dict:
        return {"status": "ok"}

    return app


def bare_proxy_app():
    """The essential I/O of the gateway's path and nothing else: uvicorn in, one pooled aiohttp
    request out, the body back. The limit of the gateway's stack on this machine."""
    upstream = os.environ["BENCH_UPSTREAM"]
    sessions: list[aiohttp.ClientSession] = []

    async def app(scope, receive, send):
        if scope["type"] == "lifespan":
            while (await receive())["type"] == "lifespan.startup":
                sessions.append(aiohttp.ClientSession(auto_decompress=False))
                await send({"type": "lifespan.startup.complete"})
            await sessions[0].close()
            await send({"type": "lifespan.shutdown.complete"})
            return
        target = URL(upstream + scope["raw_path"].decode(), encoded=True)
        async with sessions[0].request(scope["method"], target) as response:
            body = await response.read()
            headers = [(k.lower(), v) for k, v in response.raw_headers]
        headers = [(k, v) for k, v in headers if k not in (b"date", b"server")]
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@contextmanager
def _serve(
    factory: str,
    env: dict[str, str | None],
    log: Path,
    start_seconds: float = 30,
    workers: int = 1,
):
    """Serve an app factory in a process of its own (with `workers` uvicorn workers); `None`
    in `env` unsets a variable."""
    port = _free_port()
    command = [sys.executable, "-m", "uvicorn", "--factory", factory, "--host", HOST]
    command += ["--port", str(port), "--workers", str(workers), "--log-level", "warning"]
    command += ["--no-access-log", "--no-proxy-headers"]
    with log.open("wb") as out:
        environment = {k: v for k, v in {**os.environ, **env}.items() if v is not None}
        process = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT
        )
    url = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + start_seconds
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{factory} exited:\n{log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{factory} did not start; see {log}")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def _wrk(url: str, concurrency: int, seconds: float, headers: dict[str, str]) -> dict:
    command = ["wrk", "-t1", f"-c{concurrency}", f"-d{max(1, round(seconds))}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output, client_cpu = run_client([*command, url], timeout=seconds + 60)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "client_cpu": client_cpu,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": _wrk_ms(re.search(r"\s50%\s+([\d.]+\w+)", output).group(1)),
        "p99_ms": _wrk_ms(re.search(r"\s99%\s+([\d.]+\w+)", output).group(1)),
        "errors": int(non_2xx.group(1)) if non_2xx else 0,
    }


def _wrk_ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(\w+)", text).groups()
    return round(float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit], 3)


async def _httpx_load(url: str, concurrency: int, seconds: float, headers: dict) -> dict:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=10) as client:

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                response = await client.get(url)
                latencies.append(time.perf_counter() - started)
                errors += response.status_code >= 300

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(cuts[49] * 1000, 3),
        "p99_ms": round(cuts[98] * 1000, 3),
        "errors": errors,
    }


def _load(url: str, concurrency: int, seconds: float, headers: dict[str, str]) -> dict:
    if shutil.which("wrk"):
        return _wrk(url, concurrency, seconds, headers)
    # The fallback client runs in a process of its own, so it does not share the servers'.
    command = [sys.executable, "-m", "bench.gateway", "--client", url]
    command += [str(concurrency), str(seconds), json.dumps(headers)]
    output, client_cpu = run_client(command, timeout=seconds + 60)
    return {"client_cpu": client_cpu, **json.loads(output)}


def run(quick: bool) -> dict:
    seconds = 3.0 if quick else 10.0
    client = "wrk (Debian, 1 thread)" if shutil.which("wrk") else "httpx, own process"
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        directory = Path(tmp)
        jwks_file, _, customers = signing(directory, operators=0, customers=1)
        token = customers.read_text().split()[0]
        upstream = stack.enter_context(
            _serve(
                "bench.gateway:upstream_app",
                {"BENCH_JWKS_FILE": str(jwks_file)},
                directory / "upstream.log",
            )
        )
        ping = stack.enter_context(_serve("bench.gateway:ping_app", {}, directory / "ping.log"))
        bare = stack.enter_context(
            _serve(
                "bench.gateway:bare_proxy_app",
                {"BENCH_UPSTREAM": upstream},
                directory / "bare.log",
            )
        )
        unlimited = {"limit": 1_000_000_000, "window": 1}
        gateway_env = {
            "GATEWAY_UPSTREAMS": json.dumps(dict.fromkeys(NAMES, upstream)),
            "GATEWAY_DATABASE_URL": f"sqlite+aiosqlite:///{directory / 'gateway.db'}",
            "GATEWAY_RATE_LIMITS": json.dumps(dict.fromkeys(DEFAULT_RATE_LIMITS, unlimited)),
            "FLYWHEEL_JWKS_URL": upstream + JWKS_PATH,
            "REDIS_URL": None,  # in-process buckets: one replica measured
        }
        gateway = stack.enter_context(
            _serve("gateway.app:create_app", gateway_env, directory / "gateway.log")
        )
        signed_in = {"Authorization": f"Bearer {token}"}
        targets = {
            "ping (bare FastAPI)": (ping + "/healthz", {}),
            "direct": (upstream + PRODUCT, {}),
            "bare proxy": (bare + PRODUCT, {}),
            "gateway": (gateway + PRODUCT, {}),
            "gateway, signed in": (gateway + PRODUCT, signed_in),
        }
        for url, headers in targets.values():  # warm up connections, JWKS, code paths
            _load(url, 4, 1.0, headers)
        throughput = {
            name: _load(url, SATURATING, seconds, headers)
            for name, (url, headers) in targets.items()
        }
        latency = {
            name: _load(url, 1, seconds, headers)
            for name, (url, headers) in targets.items()
            if name != "ping (bare FastAPI)"
        }
    direct, through = throughput["direct"], throughput["gateway"]
    ratio = through["rps"] / direct["rps"]
    added_p50 = latency["gateway"]["p50_ms"] - latency["direct"]["p50_ms"]
    ping = throughput["ping (bare FastAPI)"]
    # A client that cannot load even the bare ping measures itself: every target reads the
    # same rate and the ratios say nothing of the gateway. Then nothing is judged met.
    client_bound = client_bottleneck(ping["rps"], ping["client_cpu"])
    met = {
        "throughput_ratio": ratio >= TARGETS["throughput_ratio_min"],
        "added_p50_ms": added_p50 <= TARGETS["added_p50_ms_max"],
    }
    return {
        "benchmark": "gateway",
        "revision": revision(("chassis", "gateway", "bench")),
        "client": client,
        "client_bound": client_bound,
        "workers": dict.fromkeys(("upstream", "gateway", "bare proxy", "ping"), 1),
        "seconds_per_target": seconds,
        "machine": machine()["summary"],
        "throughput": {"concurrency": SATURATING, **throughput},
        "latency": {"concurrency": 1, **latency},
        "throughput_ratio": round(ratio, 3),
        "signed_in_throughput_ratio": round(
            throughput["gateway, signed in"]["rps"] / direct["rps"], 3
        ),
        "direct_share_of_ping": round(direct["rps"] / throughput["ping (bare FastAPI)"]["rps"], 3),
        "bare_proxy_throughput_ratio": round(throughput["bare proxy"]["rps"] / direct["rps"], 3),
        "gateway_share_of_bare_proxy": round(through["rps"] / throughput["bare proxy"]["rps"], 3),
        "added_p50_ms": round(added_p50, 3),
        "targets": TARGETS,
        "met": dict.fromkeys(met) if client_bound else met,
    }


def _print(result: dict) -> None:
    print(f"client: {result['client']}; one uvicorn worker per server; {result['machine']}")
    for phase in ("throughput", "latency"):
        figures = result[phase]
        direct = figures["direct"]["rps"]
        print(
            f"\n{phase} (concurrency {figures['concurrency']}, {result['seconds_per_target']:g} s)"
        )
        print(
            f"{'target':<22}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'vs direct':>11}"
            f"{'errors':>8}{'client CPU':>12}"
        )
        for name, row in figures.items():
            if name == "concurrency":
                continue
            share = f"{row['rps'] / direct:.0%}"
            print(
                f"{name:<22}{row['rps']:>10.0f}{row['p50_ms']:>10.2f}{row['p99_ms']:>10.2f}"
                f"{share:>11}{row['errors']:>8}{row['client_cpu']:>12.0%}"
            )
    if result["client_bound"]:
        why = (
            "the machine was too loaded for wrk to load even the bare ping"
            if result["client"].startswith("wrk")
            else "the httpx fallback client is the limit (make bench installs wrk)"
        )
        print(
            f"\nCLIENT-BOUND, NOT JUDGED: {result['client_bound']}: {why}. The shares above "
            "say nothing of the gateway."
        )
        return
    met = result["met"]
    print(
        f"\nthrough the gateway: {result['throughput_ratio']:.0%} of direct throughput "
        f"(target >= {TARGETS['throughput_ratio_min']:.0%}: "
        f"{'met' if met['throughput_ratio'] else 'NOT MET'}), "
        f"{result['added_p50_ms']:.2f} ms added at p50 (target <= {TARGETS['added_p50_ms_max']} "
        f"ms: {'met' if met['added_p50_ms'] else 'NOT MET'})"
    )


def main(argv: list[str]) -> None:
    if argv[:1] == ["--client"]:
        url, concurrency, seconds, headers = argv[1:5]
        print(
            json.dumps(
                asyncio.run(_httpx_load(url, int(concurrency), float(seconds), json.loads(headers)))
            )
        )
        return
    result = run(quick="--quick" in argv)
    _print(result)
    finish("gateway", result)


if __name__ == "__main__":
    main(sys.argv[1:])
