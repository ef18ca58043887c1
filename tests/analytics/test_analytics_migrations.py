"""The analytics database's revisions run on SQLite and PostgreSQL; the SQL event table goes."""

from sqlalchemy import inspect

from chassis import migrations
from chassis.db import Database
from services.analytics.app import SCHEMA


async def test_the_sql_event_table_is_dropped(database_url):
    db = Database(database_url("analytics_migrated"), service="analytics")
    try:
        await db.create_database_if_missing()
        await migrations.upgrade(db, SCHEMA)
        async with db.engine.connect() as conn:
            tables = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
    finally:
        await db.dispose()
    assert "events" not in tables
    assert {"outbox", "inbox", "collected_keys"} <= set(tables)
