"""An analytics service of a test's own over real HTTP, and a client for it."""

from contextlib import asynccontextmanager

import httpx

from chassis.ids import new_id
from chassis.testing import ServiceServer
from services.analytics.app import create_app
from services.analytics.settings import Settings


@asynccontextmanager
async def analytics(platform, tmp_path, **settings):
    """An analytics service of its own (its own SQL database and store database), without
    the broker: the test writes its events straight into the store."""
    app = create_app(
        Settings(
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'analytics.db'}",
            kafka_enabled=False,
            jwks_url=f"{platform.servers['users'].url}/api/v1/users/.well-known/jwks.json",
            clickhouse_database=f"test_{new_id().hex[-12:]}",
            **settings,
        )
    )
    server = await ServiceServer(app).start()
    try:
        yield app.state.store, server.url
    finally:
        await server.stop()


def client(url: str, token: str | None = None) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(base_url=url, headers=headers, timeout=20)
