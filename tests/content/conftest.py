"""Who acts in the content tests."""

import httpx
import pytest

from chassis.testing import ServiceServer
from services.content.app import create_app
from services.content.settings import Settings


@pytest.fixture(scope="session")
async def operator(platform) -> str:
    """A token of a user who is an operator and nothing else."""
    _, token = await platform.staff("operator")
    return token


@pytest.fixture
async def customer(platform) -> tuple[str, str]:
    """A fresh customer: (user id, token)."""
    return await platform.customer()


class LoneContent:
    """A content service of a test's own: a fresh database, no broker (its events stay in
    the outbox), trusting the platform's tokens."""

    def __init__(self, server: ServiceServer) -> None:
        self.server = server

    def client(self, token: str | None = None) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.AsyncClient(base_url=self.server.url, headers=headers, timeout=30)


@pytest.fixture
async def lone_content(platform, database_url):
    """Start content services of the test's own on one fresh database (on SQLite and on
    PostgreSQL): `await lone_content(**settings)`; each trains its recommender only when
    asked unless the test sets the schedule."""
    url = database_url("content")
    started: list[ServiceServer] = []

    async def start(**overrides) -> LoneContent:
        users = platform.servers["users"].url
        defaults = {"recommender_retrain_seconds": 3600, "recommender_factors": 8}
        settings = Settings(
            database_url=url,
            kafka_enabled=False,
            jwks_url=f"{users}/api/v1/users/.well-known/jwks.json",
            **(defaults | overrides),
        )
        started.append(await ServiceServer(create_app(settings)).start())
        return LoneContent(started[-1])

    yield start
    for server in started:
        await server.stop()
