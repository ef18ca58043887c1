"""Fixtures of the campaigns tests: an operator-only user, and the campaigns database on its
own (for the rules that must hold under real concurrency, without HTTP in between)."""

import asyncpg
import pytest
from stack import POSTGRES

from chassis.db import Database
from chassis.ids import new_id
from chassis.migrations import upgrade
from chassis.testing import need
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
async def postgres_db():
    """A migrated campaigns database on PostgreSQL only: for races, which SQLite (one writer
    at a time) cannot show."""
    need("PostgreSQL", 5432)
    name = f"test_campaigns_{new_id().hex[-12:]}"
    db = Database(f"{POSTGRES}/{name}", service="campaigns")
    await db.create_database_if_missing()
    await upgrade(db, SCHEMA)
    yield db
    await db.dispose()
    connection = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres", timeout=10)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', timeout=30)
    finally:
        await connection.close(timeout=10)
