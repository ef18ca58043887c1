"""Alembic for every service from one environment: upgrade at start, and a CLI for production.

Each service keeps only its revisions, in `services/<name>/migrations/versions/`, the first
of which revises `chassis_0001` (the outbox and inbox tables, kept here once). The
environment and the revision template live here too.

`python -m chassis.migrations <service|gateway> [upgrade|current|revision MESSAGE]` migrates
one database with the settings its owner reads at start, shows its revision, or autogenerates
a new revision from the difference between its models and its database. The gateway's
database has no outbox: its revisions stand alone (`messaging=False`).
"""

import asyncio
import importlib
import os
import sys
from dataclasses import dataclass
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
    attributes = context.config.attributes
    connection = attributes["connection"]
    targets = [attributes["metadata"]]
    if attributes["messaging"]:
        targets.append(messaging_metadata)
    context.configure(
        connection=connection,
        target_metadata=targets,
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


@dataclass(frozen=True)
class Schema:
    """One database's migrations: its models, its revisions, whether it has an outbox."""

    metadata: MetaData
    versions: Path
    messaging: bool = True

    def config(self, connection: Connection) -> Config:
        locations = [CHASSIS_VERSIONS, self.versions] if self.messaging else [self.versions]
        config = Config()
        config.set_main_option("script_location", str(Path(__file__).parent / "alembic"))
        config.set_main_option("path_separator", "os")
        config.set_main_option("version_locations", os.pathsep.join(map(str, locations)))
        config.attributes.update(
            connection=connection, metadata=self.metadata, messaging=self.messaging
        )
        return config


async def upgrade(db: Database, schema: Schema) -> None:
    async with db.engine.begin() as conn:
        if not db.is_sqlite:
            await conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": LOCK_ID})
        await conn.run_sync(lambda sync: command.upgrade(schema.config(sync), "head"))


def _owner(name: str) -> tuple[object, Schema]:
    """The settings and schema of a service, or of the gateway."""
    if name == "gateway":
        from gateway.models import Base
        from gateway.settings import GatewaySettings

        versions = ROOT / "gateway" / "migrations" / "versions"
        return GatewaySettings(), Schema(Base.metadata, versions, messaging=False)
    settings = importlib.import_module(f"services.{name}.settings").Settings()
    metadata = importlib.import_module(f"services.{name}.models").Base.metadata
    return settings, Schema(metadata, versions_dir(name))


async def _main(service: str, action: str, message: str | None) -> None:
    settings, schema = _owner(service)
    versions = schema.versions
    db = Database.from_settings(settings, service=service)
    try:
        await db.create_database_if_missing()
        if action in ("upgrade", "revision"):
            await upgrade(db, schema)
        async with db.engine.begin() as conn:
            if action == "revision":
                await conn.run_sync(
                    lambda sync: command.revision(
                        schema.config(sync),
                        message=message,
                        autogenerate=True,
                        rev_id=f"{service}_{len(list(versions.glob('*.py'))) + 1:04d}",
                        version_path=str(versions),
                    )
                )
            elif action == "current":
                await conn.run_sync(lambda sync: command.current(schema.config(sync), verbose=True))
    finally:
        await db.dispose()


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(
            "usage: python -m chassis.migrations <service|gateway> [upgrade|current|revision MSG]"
        )
    args = [*sys.argv[1:], None, None]
    asyncio.run(_main(args[0], args[1] or "upgrade", args[2]))
