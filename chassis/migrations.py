"""Alembic for every service from one environment: upgrade at start, revisions, status.

Each service keeps only its revisions, in `<its package>/migrations/versions/`, the first
of which revises `chassis_0001` (the outbox and inbox tables, kept here once). The chassis'
later revisions (`chassis_0002`: idempotency keys) form a branch of their own beside the
service's, so an upgrade goes to every head and a new service revision extends the service's. The
environment and the revision template live here too. The command that runs them for a
deployment is `python -m deploy.migrate` (it knows the services from their manifest). The
gateway's database has no outbox: its revisions stand alone (`messaging=False`).
"""

import os
from dataclasses import dataclass
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, TypeDecorator, text
from sqlalchemy.engine import Connection

from chassis.db import Database
from chassis.events.tables import messaging_metadata

CHASSIS_VERSIONS = Path(__file__).resolve().parent / "alembic" / "versions"
LOCK_ID = 7_301_977  # PostgreSQL advisory lock: one migrator at a time across replicas


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

    @classmethod
    def beside(cls, module_file: str, metadata: MetaData, *, messaging: bool = True) -> "Schema":
        """The schema whose revisions are in `migrations/versions/` next to `module_file`."""
        versions = Path(module_file).resolve().parent / "migrations" / "versions"
        return cls(metadata, versions, messaging)

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
        await conn.run_sync(lambda sync: command.upgrade(schema.config(sync), "heads"))


async def revision(db: Database, schema: Schema, *, message: str, rev_id: str) -> None:
    """Autogenerate a revision from the difference between the models and the database."""
    await upgrade(db, schema)
    async with db.engine.begin() as conn:

        def autogenerate(sync: Connection) -> None:
            config = schema.config(sync)
            command.revision(
                config,
                message=message,
                autogenerate=True,
                rev_id=rev_id,
                head=_own_head(config, schema.versions),
                version_path=str(schema.versions),
            )

        await conn.run_sync(autogenerate)


def _own_head(config: Config, versions: Path) -> str:
    """The head of the service's own revisions (the chassis' branch is another head); a
    service without revisions yet starts from the chassis' base revision."""
    script = ScriptDirectory.from_config(config)
    own = [
        head
        for head in script.get_heads()
        if Path(script.get_revision(head).path).resolve().parent == versions.resolve()
    ]
    return own[0] if own else "chassis_0001"


async def current(db: Database, schema: Schema) -> None:
    async with db.engine.begin() as conn:
        await conn.run_sync(lambda sync: command.current(schema.config(sync), verbose=True))


def user_ids_to_uuid(table: str, *columns: str) -> None:
    """In a revision: turn text columns holding user ids into UUID columns (the one identity
    type). PostgreSQL casts in place; SQLite stores UUIDs as 32 hex digits, so the dashes of
    the old text go first."""
    from alembic import op  # only inside a running migration
    from sqlalchemy import String, Uuid

    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table(table) as batch:
        for column in columns:
            if sqlite:
                op.execute(f"UPDATE {table} SET {column} = replace({column}, '-', '')")
            batch.alter_column(
                column,
                type_=Uuid(),
                existing_type=String(64),
                postgresql_using=f"{column}::uuid",
            )
