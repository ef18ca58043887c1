"""The engagement revisions build exactly the tables the models declare, on both backends."""

from collections.abc import AsyncIterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from chassis import migrations
from chassis.db import Database
from chassis.events.tables import messaging_metadata
from services.engagement.app import SCHEMA
from services.engagement.models import Base


@pytest.fixture
async def db(database_url) -> AsyncIterator[Database]:
    database = Database(database_url("engagement"), service="engagement")
    await database.create_database_if_missing()
    yield database
    await database.dispose()


async def test_the_revisions_match_the_models(db):
    await migrations.upgrade(db, SCHEMA)

    def differences(connection):
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)

    async with db.engine.connect() as conn:
        diff = await conn.run_sync(differences)
    assert [d for d in diff if not _chassis_table(d)] == []


def _chassis_table(difference) -> bool:
    """The outbox, inbox and idempotency tables are the chassis's, not in this metadata."""
    table = getattr(difference[1], "table", difference[1])
    return difference[0] in {"remove_table", "remove_index"} and (
        table.name in messaging_metadata.tables or table.name == "alembic_version"
    )
