"""A running platform for tests: every service over real HTTP against one broker."""

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from sqlalchemy import text

from chassis.broker import TansuBroker
from chassis.db import Database
from chassis.ids import new_id
from chassis.mailbox import Mailbox
from chassis.testing import ServiceServer, eventually
from contracts.manifest import service

POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432"
ADMIN = {"email": "admin@flywheel.local", "password": "flywheel-admin"}


class Platform:
    """Every service running over real HTTP against one broker, and sending mail to one sink
    (with none, to a port where nothing listens)."""

    def __init__(
        self,
        broker: TansuBroker,
        database_url: Callable[[str], str],
        mailbox: Mailbox | None = None,
    ) -> None:
        self.broker = broker
        self.database_url = database_url
        self.mailbox = mailbox
        self.servers: dict[str, ServiceServer] = {}

    def settings(self, name: str, **overrides):
        module = __import__(f"services.{name}.settings", fromlist=["Settings"])
        users_url = self.servers["users"].url if "users" in self.servers else "http://127.0.0.1:1"
        defaults = dict(
            database_url=self.database_url(name),
            kafka_bootstrap_servers=self.broker.bootstrap_servers,
            jwks_url=f"{users_url}/api/v1/users/.well-known/jwks.json",
            smtp_host="127.0.0.1",
            smtp_port=self.mailbox.port if self.mailbox else 1,
            consumer_retry_backoff_ms=20,
            consumer_session_timeout_ms=2000,
            # Tansu holds an empty fetch for its whole wait: 300 ms instead of 100 costs a hop
            # ~50 ms and saves an idle platform's broker two thirds of its CPU (docs/testing.md)
            consumer_fetch_max_wait_ms=300,
        )
        if name == "users":  # session-scoped tokens must outlive a slow run of the suite
            defaults["access_token_minutes"] = 24 * 60
        for callee in service(name).calls:  # started before it (the manifest's order)
            if callee in self.servers:
                defaults[f"{callee}_url"] = self.servers[callee].url
        return module.Settings(**(defaults | overrides))

    async def start(self, name: str, **overrides) -> ServiceServer:
        module = __import__(f"services.{name}.app", fromlist=["create_app"])
        server = await ServiceServer(module.create_app(self.settings(name, **overrides))).start()
        self.servers[name] = server
        return server

    async def joined(self, within: float = 120) -> None:
        """Wait until every service is ready with its consumers in their groups: an event a
        test sends from then on is consumed at once, not after a slow first join (under a
        loaded start of three workers' platforms, joins took minutes)."""

        async def ready(name: str) -> bool:
            async with self.client(name) as client:
                return (await client.get("/readyz")).json()["status"] == "ready"

        for name in self.servers:
            await eventually(lambda name=name: ready(name), within=within, interval=0.2)

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

    async def staff(self, *roles: str) -> tuple[str, str]:
        """A fresh user holding exactly `roles` (e.g. only "operator"), signed in. Returns
        (user id, access token)."""
        user_id, email, password = await self.staff_account(*roles)
        return user_id, await self.token(email, password)

    async def staff_account(self, *roles: str) -> tuple[str, str, str]:
        """A fresh user holding exactly `roles`: registered through the API, given the roles
        straight in the users database (a factory, not a flow under test). Returns (user id,
        email, password), for tests that sign in themselves (the console's)."""
        email, password = f"s-{new_id().hex}@example.com", "correct horse battery"
        async with self.client("users") as users:
            registered = await users.post(
                "/api/v1/users/register", json={"email": email, "password": password}
            )
            registered.raise_for_status()
        db = Database(self.database_url("users"), service="users")
        try:
            async with db.engine.begin() as conn:
                await conn.execute(
                    text("UPDATE users SET roles = :roles WHERE email = :email"),
                    {"roles": json.dumps(list(roles)), "email": email},
                )
        finally:
            await db.dispose()
        return registered.json()["id"], email, password

    async def stop(self) -> None:
        for server in reversed(list(self.servers.values())):
            await server.stop()


async def start_gateway(settings) -> ServiceServer:
    """The gateway, once it has learned every service's routes from their OpenAPI documents:
    under load a first fetch can time out, and until it is retried the routes that document
    would open stay closed at the edge (401 where a token is optional)."""
    from gateway.app import create_app

    server = await ServiceServer(create_app(settings)).start()
    documents = server.app.state.documents

    async def learned() -> bool:
        if not documents.complete:
            await documents.refresh()
        return documents.complete

    await eventually(learned, within=60)
    return server


@asynccontextmanager
async def gateway_for(platform: Platform, database: Path) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a gateway in front of every service of `platform` (its own database)."""
    from gateway.settings import GatewaySettings

    settings = GatewaySettings(
        database_url=f"sqlite+aiosqlite:///{database}",
        upstreams={name: server.url for name, server in platform.servers.items()},
        jwks_url=f"{platform.servers['users'].url}/api/v1/users/.well-known/jwks.json",
    )
    server = await start_gateway(settings)
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
            yield client
    finally:
        await server.stop()
