"""The analytics database's revisions run on SQLite and PostgreSQL; the SQL event table goes."""

from alembic import command
from sqlalchemy import inspect, text

from chassis import migrations
from chassis.db import Database
from chassis.ids import new_id
from chassis.secrets import PREFIX
from services.analytics.app import SCHEMA
from services.analytics.settings import Settings


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


async def test_plaintext_webhook_secrets_are_sealed_and_unsealed_on_the_way_back(database_url):
    db = Database(database_url("analytics_sealed"), service="analytics")
    rule_id = new_id()
    box = Settings().secret_box()

    def key(sync):  # how each dialect stores a UUID
        return rule_id if sync.dialect.name == "postgresql" else rule_id.hex

    def secret_of(sync) -> str:
        return sync.execute(
            text("SELECT webhook_secret FROM alert_rules WHERE id = :id"), {"id": key(sync)}
        ).scalar_one()

    def migrate(sync) -> tuple[str, str]:
        config = SCHEMA.config(sync)
        command.upgrade(config, "analytics_0004")
        sync.execute(
            text(
                "INSERT INTO alert_rules (id, name, metric, currency, window_s, condition, "
                "threshold, webhook_secret, state, created_at) VALUES (:id, 'GMV', 'gmv', "
                "'CNY', 3600, 'above', 0, 'whsec_plain', 'ok', CURRENT_TIMESTAMP)"
            ),
            {"id": key(sync)},
        )
        command.upgrade(config, "heads")
        sealed = secret_of(sync)
        command.downgrade(config, "analytics_0004")
        return sealed, secret_of(sync)

    try:
        await db.create_database_if_missing()
        async with db.engine.begin() as conn:
            sealed, unsealed = await conn.run_sync(migrate)
    finally:
        await db.dispose()
    assert sealed.startswith(PREFIX)
    assert box.open(sealed) == "whsec_plain"
    assert unsealed == "whsec_plain"
