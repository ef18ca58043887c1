"""Alembic migrations of the gateway's own database: upgrade at start, and a CLI.

`python -m gateway.migrate [upgrade|current|revision MESSAGE]` runs with the settings the
gateway reads at start. Same shape as `chassis.migrations`, which only knows `services/`.
"""

import asyncio
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Connection

from chassis.db import Database
from gateway.settings import GatewaySettings

SCRIPTS = Path(__file__).resolve().parent / "migrations"
LOCK_ID = 7_301_978  # PostgreSQL advisory lock: one migrator at a time across replicas


def _config(connection: Connection | None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    config.attributes["connection"] = connection
    return config


async def upgrade(db: Database) -> None:
    async with db.engine.begin() as conn:
        if not db.is_sqlite:
            await conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": LOCK_ID})
        await conn.run_sync(lambda sync: command.upgrade(_config(sync), "head"))


async def _main(action: str, message: str | None) -> None:
    db = Database(GatewaySettings().resolved_database_url(), service="gateway")
    try:
        if action == "upgrade":
            await db.create_database_if_missing()
            await upgrade(db)
        elif action == "revision":
            await upgrade(db)
            async with db.engine.begin() as conn:
                await conn.run_sync(
                    lambda sync: command.revision(_config(sync), message=message, autogenerate=True)
                )
        else:
            async with db.engine.connect() as conn:
                await conn.run_sync(lambda sync: command.current(_config(sync)))
    finally:
        await db.dispose()


if __name__ == "__main__":
    args = [*sys.argv[1:], None, None]
    asyncio.run(_main(args[0] or "upgrade", args[1]))
