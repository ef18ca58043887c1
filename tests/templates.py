"""Fresh test databases copied from a migrated template instead of each migrated by Alembic.

Hundreds of tests start a service on a fresh database, and building one revision by revision
takes a good part of a second on SQLite and seconds on PostgreSQL. On each xdist worker the
first empty SQLite database of a schema is migrated into a template file; every later empty
one of that schema is a copy of it (a few milliseconds). On PostgreSQL the template is a
database, `tmpl_<fingerprint>`, shared by the workers and by later runs of the same
revisions; an empty database is dropped and created again from it (`CREATE DATABASE ...
TEMPLATE`: under a second, where the users' revisions took 4 to 6 s). A database that holds
anything, or that another connection is on, is upgraded by Alembic as before, and every
template is built by it, so what the tests run on is what the revisions make (the services'
`test_the_revisions_match_the_models` compare it with the models). Imported as `templates`
(tests/ is on the path).
"""

import asyncio
import hashlib
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from chassis.db import Database
from chassis.ids import new_id
from chassis.migrations import CHASSIS_VERSIONS, Schema

Upgrade = Callable[[Database, Schema], Awaitable[None]]


def fingerprint(schema: Schema) -> str:
    """Changes whenever a revision the schema runs does."""
    digest = hashlib.sha256()
    folders = [CHASSIS_VERSIONS, schema.versions] if schema.messaging else [schema.versions]
    for path in sorted(p for folder in folders for p in folder.glob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


class Templates:
    """An `upgrade` that copies a migrated template into empty SQLite databases."""

    def __init__(self, upgrade: Upgrade, directory: Path) -> None:
        self._upgrade = upgrade
        self._directory = directory
        self._locks: dict[str, asyncio.Lock] = {}

    def _lock(self, key: str) -> asyncio.Lock:
        return self._locks.setdefault(key, asyncio.Lock())

    async def upgrade(self, db: Database, schema: Schema) -> None:
        if not db.is_sqlite:
            async with self._lock(str(db.url)):
                if not await _copied_on_postgres(db, schema, self._upgrade):
                    await self._upgrade(db, schema)
            return
        # Replicas of one test start on one database at once: one copies, the others wait.
        async with self._lock(str(db.url)):
            if not await _is_empty(db):
                await self._upgrade(db, schema)
                return
            template = await self._template(schema)
            await asyncio.to_thread(_copy, template, db.url.database)

    async def _template(self, schema: Schema) -> Path:
        path = self._directory / f"{fingerprint(schema)}.db"
        async with self._lock(str(path)):
            if not path.exists():
                template = Database(f"sqlite+aiosqlite:///{path}", service="template")
                try:
                    await self._upgrade(template, schema)
                finally:
                    await template.dispose()
        return path


async def _copied_on_postgres(db: Database, schema: Schema, upgrade: Upgrade) -> bool:
    """Make the empty database `db` a copy of its schema's template; False if it is not
    empty or another connection is on it (then it is migrated as it is)."""
    async with db.engine.connect() as conn:
        tables = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        if await conn.scalar(text(tables)) != 0:
            return False
    await db.engine.dispose()  # its pool must not hold the database we drop
    name, template = db.url.database, f"tmpl_{fingerprint(schema)}"
    admin = create_async_engine(db.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            others = "SELECT count(*) FROM pg_stat_activity WHERE datname = :name"
            if await conn.scalar(text(others), {"name": name}) != 0:
                return False
            exists = "SELECT 1 FROM pg_database WHERE datname = :name"
            if not await conn.scalar(text(exists), {"name": template}):
                await _build(db, schema, upgrade, template, conn)
            await conn.execute(text(f'DROP DATABASE "{name}"'))
            try:
                await conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
            except Exception:  # the template is busy or gone: an empty one, migrated
                await conn.execute(text(f'CREATE DATABASE "{name}"'))
                return False
    finally:
        await admin.dispose()
    return True


async def _build(db: Database, schema: Schema, upgrade: Upgrade, template: str, conn) -> None:
    """Migrate a database under a name of its own, then rename it to `template`: workers
    building the same one at once each finish theirs, and one rename wins."""
    building = f"{template}_{new_id().hex[-8:]}"
    await conn.execute(text(f'CREATE DATABASE "{building}"'))
    made = Database(db.url.set(database=building).render_as_string(False), service="template")
    try:
        await upgrade(made, schema)
    finally:
        await made.dispose()
    try:
        await conn.execute(text(f'ALTER DATABASE "{building}" RENAME TO "{template}"'))
    except Exception:  # another worker's rename won: theirs is the same schema
        await conn.execute(text(f'DROP DATABASE "{building}"'))


async def _is_empty(db: Database) -> bool:
    async with db.engine.connect() as conn:
        return await conn.scalar(text("SELECT count(*) FROM sqlite_master")) == 0


def _copy(template: Path, target: str) -> None:
    """Through SQLite's backup API, which writes the pages under SQLite's own locks (another
    engine's open connection to the target sees the copy, not a torn file)."""
    source, destination = sqlite3.connect(template), sqlite3.connect(target)
    try:
        source.backup(destination)
    finally:
        source.close()
        destination.close()
