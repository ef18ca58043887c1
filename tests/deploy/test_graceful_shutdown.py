"""A service under load that receives SIGTERM, as a pod does on a rollout: readiness fails
first while it keeps serving, no request it accepted fails, and once its replacement runs
every event of what it committed is published exactly once."""

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
from observe import events_on

from chassis.broker import free_port
from chassis.testing import eventually
from contracts import load_contracts

ROOT = Path(__file__).resolve().parents[2]
CREATED = "flywheel.catalog.product.created.v1"
DRAIN_SECONDS = 3


def serve(app: str, port: int, log: Path, **env: str) -> subprocess.Popen:
    """`app` served by uvicorn in its own process, as the image runs it."""
    env = {**os.environ, "FLYWHEEL_SHUTDOWN_DRAIN_SECONDS": str(DRAIN_SECONDS), **env}
    command = [sys.executable, "-m", "uvicorn", "--factory", app, "--host", "127.0.0.1"]
    command += ["--port", str(port), "--timeout-graceful-shutdown", "10"]
    with log.open("ab") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def start_catalog(platform, database: Path, port: int, log: Path) -> subprocess.Popen:
    return serve(
        "services.catalog.app:create_app",
        port,
        log,
        CATALOG_DATABASE_URL=f"sqlite+aiosqlite:///{database}",
        KAFKA_BOOTSTRAP_SERVERS=platform.broker.bootstrap_servers,
        FLYWHEEL_JWKS_URL=f"{platform.servers['users'].url}/api/v1/users/.well-known/jwks.json",
    )


async def ready(url: str) -> bool:
    try:
        async with httpx.AsyncClient(timeout=1.0) as client:
            return (await client.get(f"{url}/readyz")).status_code == 200
    except httpx.HTTPError:
        return False


async def test_sigterm_under_load_drains_loses_nothing_and_doubles_nothing(platform, tmp_path):
    _, token = await platform.staff("operator")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    database, log = tmp_path / "catalog.db", tmp_path / "catalog.log"
    first = start_catalog(platform, database, port, log)
    replacement = None
    answers: list[int | str] = []
    created: set[str] = set()
    routed = asyncio.Event()  # the load balancer still sends this pod new requests
    routed.set()

    async def customer_traffic(client: httpx.AsyncClient, worker: int) -> None:
        n = 0
        while routed.is_set():
            n += 1
            try:
                response = await client.post(
                    "/api/v1/catalog/products", json={"name": f"Tea {worker}-{n}"}
                )
            except httpx.HTTPError as error:
                answers.append(repr(error))  # a request the pod took and then failed
                continue
            answers.append(response.status_code)
            if response.status_code == 201:
                created.add(response.json()["id"])

    try:
        await eventually(lambda: ready(url), within=60, interval=0.2)
        headers = {"Authorization": f"Bearer {token}"}
        limits = httpx.Limits(max_keepalive_connections=0)  # a new connection per request
        async with httpx.AsyncClient(
            base_url=url, headers=headers, limits=limits, timeout=15
        ) as client:
            load = [asyncio.create_task(customer_traffic(client, w)) for w in range(6)]
            await eventually(lambda: _at_least(answers, 20), within=30)
            first.send_signal(signal.SIGTERM)
            probe = await eventually(lambda: _not_ready(url), within=5, interval=0.05)
            served_before = len(answers)
            # The balancer sees the failing probe and stops routing a moment later, well
            # within the drain, as the drain is there for.
            await asyncio.sleep(DRAIN_SECONDS / 3)
            routed.clear()
            await asyncio.wait_for(asyncio.gather(*load), timeout=60)
            served_while_draining = len(answers) - served_before
        # uvicorn re-raises the SIGTERM it handled once it has stopped gracefully.
        assert first.wait(timeout=30) in (0, -signal.SIGTERM)

        assert probe == {"status": "not ready", "phase": "draining"}
        assert served_while_draining > 0  # readiness failed first; requests still served
        assert set(answers) == {201}  # no accepted request failed

        replacement = start_catalog(platform, database, port, log)
        await eventually(lambda: ready(url), within=60, interval=0.2)
        topic = load_contracts().get(CREATED).topic

        async def all_published() -> list[str] | None:
            events = await events_on(platform.broker.bootstrap_servers, topic)
            ours = [e["subject"] for e in events if e["type"] == CREATED]
            ours = [subject for subject in ours if subject in created]
            return ours if set(ours) == created else None

        published = await eventually(all_published, within=30, interval=0.5)
        assert sorted(published) == sorted(created)  # each exactly once
    finally:
        for process in (first, replacement):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(timeout=10)


async def _at_least(answers: list[int], n: int) -> bool:
    return len(answers) >= n


async def _not_ready(url: str) -> dict | None:
    async with httpx.AsyncClient(timeout=1.0) as client:
        response = await client.get(f"{url}/readyz")
    if response.status_code != 503:
        return None
    body = response.json()
    return {"status": body["status"], "phase": body.get("phase")}


async def test_the_gateway_drains_too(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    database = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    gateway = serve(
        "gateway.app:create_app", port, tmp_path / "gateway.log", GATEWAY_DATABASE_URL=database
    )
    try:
        await eventually(lambda: ready(url), within=60, interval=0.2)  # degraded: no upstreams
        gateway.send_signal(signal.SIGTERM)
        probe = await eventually(lambda: _not_ready(url), within=5, interval=0.05)
        async with httpx.AsyncClient(timeout=2.0) as client:
            alive = await client.get(f"{url}/healthz")
        assert probe == {"status": "not ready", "phase": "draining"}
        assert alive.status_code == 200  # still serving while it drains
        assert gateway.wait(timeout=30) in (0, -signal.SIGTERM)
    finally:
        if gateway.poll() is None:
            gateway.kill()
            gateway.wait(timeout=10)
