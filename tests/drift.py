"""What a service's migrations and its models disagree on, for the tests that check they do
not. Imported as `drift` (pytest puts `tests/` on the path for its root conftest)."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData

from chassis import migrations
from chassis.db import Database
from chassis.events.tables import messaging_metadata


async def drift(db: Database, schema, metadata: MetaData) -> list:
    """Migrate `db` to `schema`'s head, then list how its tables differ from `metadata`,
    leaving out the chassis's own (outbox, inbox, idempotency, alembic_version)."""
    await migrations.upgrade(db, schema)

    def differences(connection):
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, metadata)

    async with db.engine.connect() as conn:
        diff = await conn.run_sync(differences)
    return [d for d in diff if not _chassis_table(d)]


def _chassis_table(difference) -> bool:
    table = getattr(difference[1], "table", difference[1])
    return difference[0] in {"remove_table", "remove_index"} and (
        table.name in messaging_metadata.tables or table.name == "alembic_version"
    )
