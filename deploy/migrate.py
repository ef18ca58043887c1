"""`python -m deploy.migrate <service|gateway> [upgrade|current|revision MESSAGE]`.

Migrates one database with the settings its owner reads at start (run it as a job before a
rollout, with `<SERVICE>_MIGRATE_ON_START=false` on the pods), shows its revision, or
autogenerates a new revision from the difference between its models and its database.
"""

import asyncio
import importlib
import sys

from chassis import migrations
from chassis.db import Database
from contracts.manifest import BY_NAME, service

USAGE = "usage: python -m deploy.migrate <service|gateway> [upgrade|current|revision MESSAGE]"


def owner(name: str):
    """The settings and schema of a service of the manifest, or of the gateway."""
    if name == "gateway":
        from gateway.app import SCHEMA
        from gateway.settings import GatewaySettings

        return GatewaySettings(), SCHEMA
    package = service(name).package
    settings = importlib.import_module(f"{package}.settings").Settings()
    return settings, importlib.import_module(f"{package}.app").SCHEMA


async def main(name: str, action: str, message: str | None) -> None:
    settings, schema = owner(name)
    db = Database.from_settings(settings, service=name)
    try:
        await db.create_database_if_missing()
        if action == "upgrade":
            await migrations.upgrade(db, schema)
        elif action == "current":
            await migrations.current(db, schema)
        elif action == "revision" and message:
            number = len(list(schema.versions.glob("*.py"))) + 1
            rev_id = f"{name}_{number:04d}"
            await migrations.revision(db, schema, message=message, rev_id=rev_id)
        else:
            sys.exit(USAGE)
    finally:
        await db.dispose()


if __name__ == "__main__":
    args = [*sys.argv[1:], None, None]
    if args[0] not in (*BY_NAME, "gateway"):
        sys.exit(USAGE)
    asyncio.run(main(args[0], args[1] or "upgrade", args[2]))
