"""Fixtures of the campaigns tests: an operator-only user, and the campaigns database on its
own (for the rules that must hold under real concurrency, without HTTP in between)."""

import pytest

from chassis.db import Database
from chassis.migrations import upgrade
from services.campaigns.app import SCHEMA


@pytest.fixture(scope="session")
async def operator_token(platform) -> str:
    _, token = await platform.staff("operator")
    return token


@pytest.fixture
async def campaigns_db(database_url):
    """A migrated campaigns database, on SQLite and on PostgreSQL."""
    db = Database(database_url("campaigns"), service="campaigns")
    await db.create_database_if_missing()
    await upgrade(db, SCHEMA)
    yield db
    await db.dispose()


@pytest.fixture
def postgres_only(campaigns_db):
    """For concurrency tests: SQLite runs one writer at a time, so races cannot happen there."""
    if campaigns_db.is_sqlite:
        pytest.skip("concurrency is PostgreSQL's to show")
    return campaigns_db
