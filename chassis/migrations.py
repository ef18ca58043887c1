"""Alembic for every service from one environment: upgrade at start, and a CLI for production.

Each service keeps only its revisions, in `services/<name>/migrations/versions/`, the first
of which revises `chassis_0001` (the outbox and inbox tables, kept here once). The
environment and the revision template live here too.

`python -m chassis.migrations <service> [upgrade|current|revision MESSAGE]` migrates one
service's database with the settings the service reads at start, shows its revision, or
autogenerates a new revision from the difference between its models and its database.
"""

import asyncio
import importlib
import os
import sys
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, TypeDecorator, text
from sqlalchemy.engine import Connection

from chassis.db import Database
from chassis.events.tables import messaging_metadata

ROOT = Path(__file__).resolve().parent.parent
CHASSIS_VERSIONS = Path(__file__).resolve().parent / "alembic" / "versions"
LOCK_ID = 7_301_977  # PostgreSQL advisory lock: one migrator at a time across replicas


def versions_dir(service: str) -> Path:
    return ROOT / "services" / service / "migrations" / "versions"


def run_env() -> None:
    """Run migrations on the connection and metadata that `upgrade` put in the config."""
    connection = context.config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=[context.config.attributes["metadata"], messaging_metadata],
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def _render_item(type_: str, obj, autogen_context) -> str | bool:
    """Write our column types as the plain SQLAlchemy types they store as."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


def _config(connection: Connection, metadata: MetaData, versions: Path) -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "alembic"))
    config.set_main_option("path_separator", "os")
    config.set_main_option(
        "version_locations", os.pathsep.join(map(str, [CHASSIS_VERSIONS, versions]))
    )
    config.attributes["connection"] = connection
    config.attributes["metadata"] = metadata
    return config


async def upgrade(db: Database, metadata: MetaData, versions: Path) -> None:
    async with db.engine.begin() as conn:
        if not db.is_sqlite:
            await conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": LOCK_ID})
        await conn.run_sync(lambda sync: command.upgrade(_config(sync, metadata, versions), "head"))


async def _main(service: str, action: str, message: str | None) -> None:
    settings = importlib.import_module(f"services.{service}.settings").Settings()
    metadata = importlib.import_module(f"services.{service}.models").Base.metadata
    versions = versions_dir(service)
    db = Database(settings.resolved_database_url(), service=service)
    try:
        await db.create_database_if_missing()
        if action in ("upgrade", "revision"):
            await upgrade(db, metadata, versions)
        async with db.engine.begin() as conn:
            if action == "revision":
                await conn.run_sync(
                    lambda sync: command.revision(
                        _config(sync, metadata, versions),
                        message=message,
                        autogenerate=True,
                        rev_id=f"{service}_{len(list(versions.glob('*.py'))) + 1:04d}",
                        version_path=str(versions),
                    )
                )
            elif action == "current":
                await conn.run_sync(
                    lambda sync: command.current(_config(sync, metadata, versions), verbose=True)
                )
    finally:
        await db.dispose()


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: python -m chassis.migrations <service> [upgrade|current|revision MSG]")
    args = [*sys.argv[1:], None, None]
    asyncio.run(_main(args[0], args[1] or "upgrade", args[2]))
