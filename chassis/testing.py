"""Running apps for tests: a real uvicorn server on a free loopback port, in this process."""

import asyncio
import os
import shutil
import socket
from typing import Any

import uvicorn
from fastapi import FastAPI

from chassis.broker import free_port

REQUIRE_SERVICES = os.environ.get("FLYWHEEL_REQUIRE_SERVICES") == "1"


def need(service: str, port: int) -> None:
    """Skip a test whose real dependency on 127.0.0.1:`port` is not running, naming it;
    with FLYWHEEL_REQUIRE_SERVICES=1 (CI) fail instead."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
    except OSError:
        pass
    _missing(f"{service} is not reachable on 127.0.0.1:{port}")


def need_tool(command: str) -> None:
    """Skip a test whose command-line tool (kubectl, wrk) is not installed, naming it; with
    FLYWHEEL_REQUIRE_SERVICES=1 (CI) fail instead."""
    if shutil.which(command) is None:
        _missing(f"{command} is not installed")


def _missing(message: str) -> None:
    import pytest

    if REQUIRE_SERVICES:
        pytest.fail(f"{message} and FLYWHEEL_REQUIRE_SERVICES=1")
    pytest.skip(message)


class ServiceServer:
    """Serves an ASGI app over real HTTP, lifespan included, until `stop()`."""

    def __init__(self, app: FastAPI, port: int | None = None, **uvicorn_config: Any) -> None:
        self.app = app
        self.port = port or free_port()
        self.uvicorn_config = uvicorn_config
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> "ServiceServer":
        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="on",
            **self.uvicorn_config,
        )
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._task.done():
                # uvicorn exits (SystemExit) when the lifespan fails: a plain error instead,
                # so that pytest reports the test with the logs that say why.
                try:
                    await self._task
                except SystemExit as exited:
                    raise RuntimeError(f"server on port {self.port} failed to start") from exited
                raise RuntimeError(f"server on port {self.port} did not start")
            await asyncio.sleep(0.02)
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            await self._task
            self._server = None


async def eventually(check, within: float = 10.0, interval: float = 0.1):
    """Await `check()` until it returns something truthy; fail after `within` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        result = await check()
        if result:
            return result
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {within} s (last: {result!r})")
        await asyncio.sleep(interval)
