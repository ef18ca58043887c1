"""Fresh SQLite test databases copied from a migrated template instead of each migrated by
Alembic.

Hundreds of tests start a service on a fresh database, and building one revision by revision
takes a good part of a second. On each xdist worker the first empty SQLite database of a
schema is migrated into a template file; every later empty one of that schema is a copy of it
(a few milliseconds). A database that holds anything is upgraded by Alembic as before, and
every template is built by it, so what the tests run on is what the revisions make (the
services' `test_the_revisions_match_the_models` compare it with the models). PostgreSQL
databases are migrated one by one: `CREATE DATABASE ... TEMPLATE` measured slower there than
the migrations themselves. Imported as `templates` (tests/ is on the path).
"""

import asyncio
import hashlib
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path

from sqlalchemy import text

from chassis.db import Database
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
