"""Fixtures of the users tests: the service alone on SQLite and on PostgreSQL."""

from collections.abc import AsyncIterator

import pytest
from alone import Users

from chassis.testing import ServiceServer
from services.users.app import create_app
from services.users.settings import Settings


@pytest.fixture
async def start_users(database_url) -> AsyncIterator:
    """Start the users service on a fresh database with settings `overrides`."""
    servers: list[ServiceServer] = []

    async def start(**overrides) -> Users:
        settings = Settings(
            database_url=database_url("users"),
            kafka_enabled=False,
            jwks_url="http://127.0.0.1:1/unused",  # it verifies its own tokens, keys at hand
            **overrides,
        )
        servers.append(await ServiceServer(create_app(settings)).start())
        return Users(servers[-1])

    yield start
    for server in servers:
        await server.stop()


@pytest.fixture
async def users(start_users) -> Users:
    return await start_users(lockout_failures=3)
