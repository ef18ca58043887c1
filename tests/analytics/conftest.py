"""Fixtures of the analytics tests: a fresh event store database per test, and a fresh
analytics database (SQLite and PostgreSQL)."""

from collections.abc import AsyncIterator

import pytest

from chassis import migrations
from chassis.db import Database
from chassis.ids import new_id
from services.analytics.app import SCHEMA
from services.analytics.store.clickhouse import ChdbStore


@pytest.fixture
async def store(chdb_dir) -> ChdbStore:
    """An empty store: its own database in the session's chDB (dropped after the test)."""
    running = ChdbStore(chdb_dir, f"test_{new_id().hex[-12:]}")
    await running.ensure_schema()
    yield running
    await running.execute("DROP DATABASE IF EXISTS {db:Identifier}")


@pytest.fixture(scope="session")
async def operator_token(platform) -> str:
    """A user who holds only the operator role: the one the analytics reads are for."""
    _, token = await platform.staff("operator")
    return token


@pytest.fixture
async def db(database_url) -> AsyncIterator[Database]:
    """The analytics database, migrated."""
    running = Database(database_url("analytics"), service="analytics")
    await running.create_database_if_missing()
    await migrations.upgrade(running, SCHEMA)
    yield running
    await running.dispose()
