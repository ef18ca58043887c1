"""Alembic per service: the shared env.py body, upgrade at start, and a CLI for production.

`python -m chassis.migrations <service> [upgrade|current|revision MESSAGE]` migrates one
service's database with the same settings the service reads at start, or autogenerates a
new revision from the difference between its models and its database.
"""

import asyncio
import importlib
import sys
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection

from chassis.db import Database
from chassis.events.tables import messaging_metadata

SERVICES_DIR = Path(__file__).resolve().parent.parent / "services"
LOCK_ID = 7_301_977  # PostgreSQL advisory lock: one migrator at a time across replicas


def run_env(metadata: MetaData) -> None:
    """The whole body of a service's `migrations/env.py`."""
    targets = [metadata, messaging_metadata]
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations through chassis.migrations, which passes a connection")
    context.configure(
        connection=connection,
        target_metadata=targets,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _config(service: str, connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SERVICES_DIR / service / "migrations"))
    config.attributes["connection"] = connection
    return config


async def upgrade(db: Database, service: str) -> None:
    async with db.engine.begin() as conn:
        if not db.is_sqlite:
            await conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": LOCK_ID})
        await conn.run_sync(lambda sync: command.upgrade(_config(service, sync), "head"))


async def _main(service: str, action: str, message: str | None) -> None:
    settings = importlib.import_module(f"services.{service}.settings").Settings()
    db = Database(settings.resolved_database_url(), service=service)
    try:
        if action == "upgrade":
            await db.create_database_if_missing()
            await upgrade(db, service)
        elif action == "revision":
            await upgrade(db, service)
            async with db.engine.begin() as conn:
                await conn.run_sync(
                    lambda sync: command.revision(
                        _config(service, sync), message=message, autogenerate=True
                    )
                )
        else:
            async with db.engine.connect() as conn:
                await conn.run_sync(lambda sync: command.current(_config(service, sync)))
    finally:
        await db.dispose()


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: python -m chassis.migrations <service> [upgrade|current|revision MSG]")
    args = [*sys.argv[1:], None, None]
    asyncio.run(_main(args[0], args[1] or "upgrade", args[2]))
