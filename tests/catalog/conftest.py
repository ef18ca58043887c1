"""Fixtures of the catalog's tests: a migrated catalog database of its own per test (on
SQLite and PostgreSQL), and operators of the session's platform (two, for four eyes)."""

import pytest

from chassis import migrations
from chassis.db import Database
from services.catalog.app import SCHEMA


@pytest.fixture
async def db(database_url):
    database = Database(database_url("catalog"), service="catalog")
    await database.create_database_if_missing()
    await migrations.upgrade(database, SCHEMA)
    yield database
    await database.dispose()


@pytest.fixture(scope="module")
async def operator(platform) -> str:
    _, token = await platform.staff("operator")
    return token


@pytest.fixture(scope="module")
async def operators(platform) -> tuple[str, str]:
    """Two operator-only users: one submits, the other reviews."""
    (_, first), (_, second) = [await platform.staff("operator") for _ in range(2)]
    return first, second
