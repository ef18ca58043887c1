"""Fixtures of the catalog's tests: a migrated catalog database of its own per test (on
SQLite and PostgreSQL), and operators of the session's platform (two, for four eyes)."""

import pytest


@pytest.fixture
async def db(service_db):
    return await service_db("catalog")


@pytest.fixture(scope="module")
async def operator(platform) -> str:
    _, token = await platform.staff("operator")
    return token


@pytest.fixture(scope="module")
async def operators(platform) -> tuple[str, str]:
    """Two operator-only users: one submits, the other reviews."""
    (_, first), (_, second) = [await platform.staff("operator") for _ in range(2)]
    return first, second
