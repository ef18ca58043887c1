"""Fixtures shared by every test: the broker, databases, and a running platform."""

import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from importlib import import_module
from pathlib import Path

import asyncpg
import pytest
from stack import ADMIN, POSTGRES, Platform
from templates import Templates

from chassis import migrations
from chassis.broker import TansuBroker
from chassis.db import Database
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


# Files whose few tests take long (seconds: an idle run's --durations): started first, so that
# none of them ends a run alone on one worker while the others idle; the conformance runs (one
# platform, no module fixture) go to the workers one by one instead of as one file.
STARTED_FIRST = (
    "tests/test_openapi_conformance.py",  # 7 x 25-95
    "tests/deploy/test_launcher.py",  # 70
    "tests/content/test_recommended_feed.py",  # 14 x 5-10
    "tests/console/test_console.py",  # 25-65
    "tests/test_gateway_conformance.py",  # 33
    "tests/orders/test_checkout_burst.py",  # 20-40
    "tests/e2e/test_access_levels.py",  # 2 x 22
    "tests/deploy/test_graceful_shutdown.py",  # 25
)
SPREAD = ("tests/test_openapi_conformance.py",)


def pytest_xdist_make_scheduler(config, log):
    """`--dist loadfile` (a file's tests on one worker, for its module fixtures), with the
    files of STARTED_FIRST first, then the others most tests first as xdist orders them."""
    from xdist.scheduler import LoadFileScheduling

    class Scheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return nodeid if nodeid.startswith(SPREAD) else super()._split_scope(nodeid)

        def schedule(self) -> None:
            if self.collection is None and self.collection_is_completed:
                for node, collection in self.registered_collections.items():
                    self.registered_collections[node] = self._ordered(collection)
                self.config.option.loadscopereorder = False
            super().schedule()

        def _ordered(self, collection):
            sizes: dict[str, int] = {}
            for nodeid in collection:
                scope = self._split_scope(nodeid)
                sizes[scope] = sizes.get(scope, 0) + 1

            def rank(nodeid: str):
                scope = self._split_scope(nodeid)
                first = next(
                    (i for i, f in enumerate(STARTED_FIRST) if scope.startswith(f)),
                    len(STARTED_FIRST),
                )
                return first, -sizes[scope], scope

            return sorted(collection, key=rank)

    return Scheduling(config, log)


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


@pytest.fixture
async def service_db(database_url) -> AsyncIterator[Callable[..., Awaitable[Database]]]:
    """A factory of a service's own fresh database on the backend under test:
    `await service_db("orders")` is created and migrated to head; `migrate=False` leaves it
    empty (for tests of the revisions themselves). Disposed after the test."""
    made: list[Database] = []

    async def make(name: str, *, migrate: bool = True) -> Database:
        db = Database(database_url(name), service=name)
        made.append(db)
        await db.create_database_if_missing()
        if migrate:
            await migrations.upgrade(db, import_module(f"services.{name}.app").SCHEMA)
        return db

    yield make
    for db in made:
        await db.dispose()


@pytest.fixture(scope="session")
def sqlite_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("databases")


@pytest.fixture(scope="session")
async def platform(broker, sqlite_dir, mailbox) -> AsyncIterator[Platform]:
    """All services, started once per test session (consumer groups take seconds to join)."""
    running = Platform(broker, lambda name: f"sqlite+aiosqlite:///{sqlite_dir / name}.db", mailbox)
    for service in SERVICES:  # users first: the others fetch its signing keys
        await running.start(service.name)
    await running.joined()
    yield running
    await running.stop()


@pytest.fixture(scope="session")
async def operator_token(platform) -> str:
    """A user holding the operator role only: staff tests sign in with the role they are
    about, not as the seeded admin who holds every role."""
    return (await platform.staff("operator"))[1]


@pytest.fixture(scope="session")
async def admin_token(platform) -> str:
    return await platform.token(ADMIN["email"], ADMIN["password"])
