"""Fixtures shared by every test: the broker, databases, and a running platform."""

import os
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import asyncpg
import pytest
from stack import ADMIN, POSTGRES, Platform
from templates import Templates

from chassis import migrations
from chassis.broker import TansuBroker
from chassis.ids import new_id
from chassis.mailbox import Mailbox
from chassis.testing import need
from contracts import load_contracts
from contracts.manifest import SERVICES
from services.analytics.store.clickhouse import close_embedded

ROOT = Path(__file__).resolve().parent.parent

# Passwords hashed at the least argon2id cost: the suite signs up and in thousands of times,
# and hashing is the one thing here meant to be slow (tests/users/test_passwords.py keeps
# the production cost honest).
for name, cost in {"TIME_COST": "1", "MEMORY_KIB": "64", "PARALLELISM": "1"}.items():
    os.environ.setdefault(f"USERS_PASSWORD_{name}", cost)


@pytest.fixture(scope="session", autouse=True)
def chdb_dir(tmp_path_factory) -> Iterator[Path]:
    """chDB runs one embedded ClickHouse per process, on one directory: every analytics
    store of the test session lives in this one (tests tell theirs apart by database)."""
    path = tmp_path_factory.mktemp("chdb")
    os.environ["ANALYTICS_CHDB_PATH"] = str(path)
    yield path
    # Closed before the interpreter exits: an embedded ClickHouse torn down by the exit
    # itself crashes the process (exit status 139 after the tests passed).
    close_embedded()


@pytest.fixture(scope="session", autouse=True)
def migrated_templates(tmp_path_factory) -> Iterator[Templates]:
    """Empty SQLite databases get a copy of a migrated template (tests/templates.py)."""
    real = migrations.upgrade
    templates = Templates(real, tmp_path_factory.mktemp("templates"))
    migrations.upgrade = templates.upgrade
    try:
        yield templates
    finally:
        migrations.upgrade = real


@pytest.fixture(scope="session")
def broker() -> TansuBroker:
    with TansuBroker(topics=load_contracts().topics()) as running:
        yield running


@pytest.fixture(scope="session")
def mailbox(tmp_path_factory) -> Mailbox:
    """The SMTP sink every service of the test platform sends to."""
    with Mailbox(tmp_path_factory.mktemp("mail")) as running:
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


@pytest.fixture(scope="session")
async def platform(broker, sqlite_dir, mailbox) -> AsyncIterator[Platform]:
    """All services, started once per test session (consumer groups take seconds to join)."""
    running = Platform(broker, lambda name: f"sqlite+aiosqlite:///{sqlite_dir / name}.db", mailbox)
    for service in SERVICES:  # users first: the others fetch its signing keys
        await running.start(service.name)
    yield running
    await running.stop()


@pytest.fixture(scope="session")
async def admin_token(platform) -> str:
    return await platform.token(ADMIN["email"], ADMIN["password"])
