"""Fixtures of the gateway tests: fake upstream services (one also serves the JWKS of a test
signing key), and gateways served by uvicorn on loopback ports, in this process or as
subprocesses."""

import asyncio
import contextlib
import hashlib
import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel

from chassis.auth.access import Access
from chassis.broker import free_port
from chassis.testing import ServiceServer, need
from contracts.manifest import NAMES as SERVICES
from gateway.app import create_app
from gateway.routes import ROUTES, Route
from gateway.settings import GatewaySettings, RateLimit

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
NOT_READY = "analytics"  # its fake answers /readyz with 503: its database is down
DEGRADED = "content"  # its fake serves without its broker (200, degraded)
HANG_TIMEOUT = 0.5
# Routes only the tests have: a slow route with a short timeout, a partner-only route, and
# routes with a tiny rate limit.
TEST_ROUTES = (
    *ROUTES,
    Route("/api/v1/content/hang", "content", Access.PUBLIC, HANG_TIMEOUT),
    Route("/api/v1/orders/partner-feed", "orders", Access.PARTNER),
    Route("/api/v1/catalog/limited", "catalog", Access.PUBLIC, rate_class="tiny"),
    Route("/api/v1/users/limited", "users", Access.CUSTOMER, rate_class="tiny"),
)
GENEROUS = RateLimit(limit=100_000, window=60)
TEST_LIMITS = {
    "auth": GENEROUS,
    "public": GENEROUS,
    "default": GENEROUS,
    "partner": GENEROUS,
    "tiny": RateLimit(limit=5, window=60),
}


JWKS_PATH = "/api/v1/users/.well-known/jwks.json"
# The operations the fakes' documents declare with an access level, as a chassis-built
# service's do (`x-flywheel-access`): the gateway learns these from them.
DECLARED = {
    "users": [("POST", "/auth/keys/rotate", "admin")],
    "catalog": [("GET", "/products", "public"), ("GET", "/products/{product_id}", "public")],
    "content": [("GET", "/articles/{article_id}", "public")],
    "campaigns": [("GET", "/campaigns/{campaign_id}", "public")],
    "analytics": [("GET", "/events", "operator"), ("POST", "/behaviour", "public")],
}


@dataclass
class Journal:
    """Every request the fake upstreams received, to show what did (not) get through."""

    entries: list[dict[str, Any]] = field(default_factory=list)

    def mark(self) -> int:
        return len(self.entries)

    def since(self, mark: int) -> list[dict[str, Any]]:
        """Requests since `mark`, except the gateway's own fetches of the signing keys."""
        return [e for e in self.entries[mark:] if e["path"] != JWKS_PATH]


class _Recorder:
    def __init__(self, app, name: str, journal: Journal) -> None:
        self.app, self.name, self.journal = app, name, journal

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            self.journal.entries.append(
                {
                    "service": self.name,
                    "method": scope["method"],
                    "path": scope["path"],
                    "raw_path": scope["raw_path"],
                    "headers": [(k.decode(), v.decode("latin-1")) for k, v in scope["headers"]],
                }
            )
        await self.app(scope, receive, send)


def fake_service(name: str, journal: Journal, jwks: dict[str, Any]) -> FastAPI:
    """A stand-in for a Flywheel service: the same path layout, internal routes included."""
    app = FastAPI(openapi_url=f"/api/v1/{name}/openapi.json", docs_url=None, redoc_url=None)
    # Same name in every service, a different shape in each: the merged OpenAPI must rename.
    item = type("Item", (BaseModel,), {"__annotations__": {"id": str, f"{name}_field": int}})

    @app.get(f"/api/v1/{name}/items/{{item_id}}", response_model=item, tags=[name])
    async def read_item(item_id: str):
        return {"id": item_id, f"{name}_field": 1}

    @app.get("/healthz", include_in_schema=False)
    async def healthz():
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz():
        if name == NOT_READY:
            checks = {"database": "down: refused", "broker": "ok"}
            return JSONResponse({"status": "not ready", "checks": checks}, status_code=503)
        if name == DEGRADED:
            return {"status": "degraded", "checks": {"database": "ok", "broker": "down"}}
        return {"status": "ready", "checks": {"database": "ok", "broker": "ok"}}

    @app.get("/metrics", include_in_schema=False)
    async def metrics():
        return {"internal": True}

    @app.get(f"/api/v1/{name}/hang", include_in_schema=False)
    async def hang():
        await asyncio.sleep(3600)

    @app.get(f"/api/v1/{name}/stream", include_in_schema=False)
    async def stream(chunks: int = 64, size: int = 16_384):
        async def body():
            for i in range(chunks):
                yield bytes([i % 256]) * size

        return StreamingResponse(body(), media_type="application/octet-stream")

    if name == "users":

        @app.get(JWKS_PATH, include_in_schema=False)
        async def keys():
            return jwks

    async def echo(request: Request):
        body = await request.body()
        return JSONResponse(
            {
                "service": name,
                "method": request.method,
                "path": request.url.path,
                "query": request.url.query,
                "headers": dict(request.headers),
                "body_length": len(body),
                "body_sha256": hashlib.sha256(body).hexdigest(),
            }
        )

    for method, path, access in DECLARED.get(name, ()):
        app.add_api_route(
            f"/api/v1/{name}{path}",
            echo,
            methods=[method],
            openapi_extra={"x-flywheel-access": access},
        )
    app.add_api_route(
        "/{path:path}",
        echo,
        methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        include_in_schema=False,
    )
    return _Recorder(app, name, journal)


def quiet_server(app) -> ServiceServer:
    """An app served by uvicorn in this event loop, quiet, and trusting no forwarded headers
    (the gateway decides whom to trust in X-Forwarded-For)."""
    return ServiceServer(app, access_log=False, proxy_headers=False, timeout_graceful_shutdown=1)


@dataclass
class Signer:
    """Mints access tokens like the users service does, with a key the fake JWKS publishes."""

    key: Any
    kid: str

    def token(
        self,
        roles: tuple[str, ...] = ("customer",),
        *,
        subject: str | None = None,
        expires_in: int = 300,
        key: Any = None,
        kid: str | None = None,
        **claims: Any,
    ) -> str:
        now = int(time.time())
        payload = {
            "iss": "flywheel-users",
            "aud": "flywheel",
            "sub": subject or str(uuid.uuid4()),
            "roles": list(roles),
            "typ": "access",
            "iat": now,
            "exp": now + expires_in,
            **claims,
        }
        return jwt.encode(payload, key or self.key, "RS256", headers={"kid": kid or self.kid})

    def bearer(self, *roles: str, **kwargs: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(roles or ('customer',), **kwargs)}"}

    @staticmethod
    def new_key() -> Any:
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)

    @staticmethod
    def jwk(key: Any, kid: str) -> dict[str, Any]:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
        return {**jwk, "kid": kid, "use": "sig", "alg": "RS256"}


@dataclass
class Stack:
    """Fake upstreams for every service, and one gateway in front of them."""

    gateway: ServiceServer
    upstreams: dict[str, ServiceServer]
    journal: Journal
    signer: Signer
    jwks: dict[str, Any]
    settings: GatewaySettings

    @property
    def url(self) -> str:
        return self.gateway.url

    hang_timeout = HANG_TIMEOUT

    async def raw(self, request: bytes) -> tuple[int, bytes]:
        """Send bytes as they are (no client library normalising them); status and body."""
        reader, writer = await asyncio.open_connection(HOST, self.gateway.port)
        writer.write(request)
        await writer.drain()
        response = await asyncio.wait_for(reader.read(), 5)
        writer.close()
        head, _, body = response.partition(b"\r\n\r\n")
        return int(head.split(b" ", 2)[1]), body

    def client(self, source: str = HOST, **kwargs: Any) -> httpx.AsyncClient:
        """A client whose requests come from `source` (any 127.x.y.z address works)."""
        transport = httpx.AsyncHTTPTransport(local_address=source)
        return httpx.AsyncClient(base_url=self.url, transport=transport, timeout=10, **kwargs)


def gw_settings(upstreams: dict[str, str], users_url: str, tmp: Path, **overrides: Any):
    values: dict[str, Any] = {
        "upstreams": upstreams,
        "database_url": f"sqlite+aiosqlite:///{tmp / 'gateway.db'}",
        "jwks_url": f"{users_url}/api/v1/users/.well-known/jwks.json",
        "redis_url": None,
        "rate_limits": TEST_LIMITS,
        "breaker_failures": 3,
        "breaker_open_seconds": 0.5,
        "partner_cache_seconds": 10,
        "cors_origins": ["https://shop.example"],
        "max_body_bytes": 256 * 1024,
        **overrides,
    }
    return GatewaySettings(**values)


@pytest.fixture(scope="session")
async def gw_stack(tmp_path_factory) -> AsyncIterator[Stack]:
    journal = Journal()
    key = Signer.new_key()
    jwks = {"keys": [Signer.jwk(key, "test-1")]}
    upstreams = {name: quiet_server(fake_service(name, journal, jwks)) for name in SERVICES}
    for server in upstreams.values():
        await server.start()
    settings = gw_settings(
        {name: s.url for name, s in upstreams.items()},
        upstreams["users"].url,
        tmp_path_factory.mktemp("gateway"),
    )
    gateway = await quiet_server(create_app(settings, routes=TEST_ROUTES)).start()
    yield Stack(gateway, upstreams, journal, Signer(key, "test-1"), jwks, settings)
    await gateway.stop()
    for server in upstreams.values():
        await server.stop()


@pytest.fixture
async def gw_client(gw_stack) -> AsyncIterator[httpx.AsyncClient]:
    async with gw_stack.client() as client:
        yield client


@pytest.fixture
def gw_gateway(gw_stack, tmp_path) -> Callable[..., contextlib.AbstractAsyncContextManager]:
    """Another gateway in this process, over `upstreams` (default: the stack's), with
    settings overridden."""

    @contextlib.asynccontextmanager
    async def start(upstreams: dict[str, str] | None = None, **overrides: Any):
        urls = {name: s.url for name, s in gw_stack.upstreams.items()} | (upstreams or {})
        settings = gw_settings(urls, gw_stack.upstreams["users"].url, tmp_path, **overrides)
        server = await quiet_server(create_app(settings, routes=TEST_ROUTES)).start()
        try:
            yield server
        finally:
            await server.stop()

    return start


@pytest.fixture
def gw_redis() -> str:
    need("Redis", 6379)
    return f"redis://{HOST}:6379/0"


@pytest.fixture
async def gw_postgres() -> AsyncIterator[str]:
    """A fresh PostgreSQL database URL on 127.0.0.1:5432, dropped afterwards."""
    need("PostgreSQL", 5432)
    name = f"flywheel_gateway_test_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(f"postgresql://postgres@{HOST}:5432/postgres", timeout=10)
    try:
        yield f"postgresql+asyncpg://postgres@{HOST}:5432/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture
def gw_subprocess_gateway(tmp_path) -> Callable[..., contextlib.AbstractAsyncContextManager]:
    """A gateway in its own process (`uvicorn --factory gateway.app:create_app`)."""

    @contextlib.asynccontextmanager
    async def start(env: dict[str, str]):
        port = free_port()
        log = (tmp_path / f"gateway-{port}.log").open("wb")
        command = [sys.executable, "-m", "uvicorn", "--factory", "gateway.app:create_app"]
        command += ["--host", HOST, "--port", str(port), "--log-level", "warning"]
        command += ["--no-proxy-headers"]
        process = subprocess.Popen(  # noqa: ASYNC220 - starting it does not block; waiting is async
            command,
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://{HOST}:{port}"
        try:
            async with httpx.AsyncClient() as client:
                for _ in range(300):
                    if process.poll() is not None:
                        raise RuntimeError((tmp_path / f"gateway-{port}.log").read_text())
                    with contextlib.suppress(httpx.HTTPError):
                        if (await client.get(f"{url}/healthz")).status_code == 200:
                            break
                    await asyncio.sleep(0.05)
                else:
                    raise RuntimeError(f"gateway on {port} did not start")
            yield url
        finally:
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()

    return start
