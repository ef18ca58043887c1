"""Fixtures shared by every test: the broker, databases, and a running platform."""

import socket
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import asyncpg
import httpx
import pytest

from chassis.broker import TansuBroker
from chassis.events.registry import load_contracts
from chassis.ids import new_id
from chassis.testing import REQUIRE_SERVICES, ServiceServer

POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432"
ROOT = Path(__file__).resolve().parent.parent
ADMIN = {"email": "admin@flywheel.local", "password": "flywheel-admin"}


def _reachable(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def need(service: str, port: int) -> None:
    """Skip (or, in CI, fail) a test whose real dependency is not running."""
    if _reachable(port):
        return
    message = f"{service} is not reachable on 127.0.0.1:{port}"
    if REQUIRE_SERVICES:
        pytest.fail(f"{message} and FLYWHEEL_REQUIRE_SERVICES=1")
    pytest.skip(message)


@pytest.fixture(scope="session")
def broker() -> TansuBroker:
    with TansuBroker(topics=load_contracts().topics()) as running:
        yield running


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request, tmp_path) -> AsyncIterator[Callable[[str], str]]:
    """A factory of fresh, empty database URLs, once on SQLite and once on PostgreSQL
    (databases are created on first use and dropped after the test)."""
    if request.param == "sqlite":
        yield lambda name: f"sqlite+aiosqlite:///{tmp_path / name}.db"
        return
    need("PostgreSQL", 5432)
    created: list[str] = []

    def fresh(name: str) -> str:
        created.append(f"test_{name}_{new_id().hex[-12:]}")
        return f"{POSTGRES}/{created[-1]}"

    yield fresh
    connection = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres", timeout=10)
    try:
        for name in created:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', timeout=30)
    finally:
        await connection.close(timeout=10)


@pytest.fixture(scope="session")
def sqlite_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("databases")


class Platform:
    """Every service running over real HTTP against one broker."""

    def __init__(self, broker: TansuBroker, database_url: Callable[[str], str]) -> None:
        self.broker = broker
        self.database_url = database_url
        self.servers: dict[str, ServiceServer] = {}

    def settings(self, name: str, **overrides):
        module = __import__(f"services.{name}.settings", fromlist=["Settings"])
        users_url = self.servers["users"].url if "users" in self.servers else "http://127.0.0.1:1"
        return module.Settings(
            database_url=self.database_url(name),
            kafka_bootstrap_servers=self.broker.bootstrap_servers,
            jwks_url=f"{users_url}/api/v1/users/.well-known/jwks.json",
            consumer_retry_backoff_ms=20,
            consumer_session_timeout_ms=2000,
            **overrides,
        )

    async def start(self, name: str, **overrides) -> ServiceServer:
        module = __import__(f"services.{name}.app", fromlist=["create_app"])
        server = await ServiceServer(module.create_app(self.settings(name, **overrides))).start()
        self.servers[name] = server
        return server

    def client(self, name: str, token: str | None = None) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.AsyncClient(base_url=self.servers[name].url, headers=headers, timeout=10)

    async def token(self, email: str, password: str) -> str:
        async with self.client("users") as users:
            response = await users.post(
                "/api/v1/users/auth/token", json={"email": email, "password": password}
            )
            response.raise_for_status()
            return response.json()["access_token"]

    async def customer(self) -> tuple[str, str]:
        """Register a fresh customer; return (user id, access token)."""
        email, password = f"c-{new_id().hex}@example.com", "correct horse battery"
        async with self.client("users") as users:
            response = await users.post(
                "/api/v1/users/register", json={"email": email, "password": password}
            )
            response.raise_for_status()
        return response.json()["id"], await self.token(email, password)

    async def stop(self) -> None:
        for server in reversed(list(self.servers.values())):
            await server.stop()


SERVICES = ["users", "catalog", "orders", "content", "campaigns", "engagement", "analytics"]


@pytest.fixture(scope="session")
async def platform(broker, sqlite_dir) -> AsyncIterator[Platform]:
    """All services, started once per test session (consumer groups take seconds to join)."""
    running = Platform(broker, lambda name: f"sqlite+aiosqlite:///{sqlite_dir / name}.db")
    for name in SERVICES:
        if (ROOT / "services" / name / "migrations").is_dir():
            await running.start(name)
    yield running
    await running.stop()


@pytest.fixture(scope="session")
async def admin_token(platform) -> str:
    return await platform.token(ADMIN["email"], ADMIN["password"])
