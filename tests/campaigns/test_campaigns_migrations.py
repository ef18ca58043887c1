"""The campaigns revisions build exactly the tables the models declare, on both backends."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from chassis.events.tables import messaging_metadata
from services.campaigns.models import Base


async def test_the_revisions_match_the_models(campaigns_db):
    def differences(connection):
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)

    async with campaigns_db.engine.connect() as conn:
        diff = await conn.run_sync(differences)
    assert diff, "compare_metadata saw the chassis tables"
    assert [d for d in diff if not _chassis_table(d)] == []


def _chassis_table(difference) -> bool:
    """The outbox, inbox and idempotency tables are the chassis's, not in this metadata."""
    table = getattr(difference[1], "table", difference[1])
    return difference[0] in {"remove_table", "remove_index"} and (
        table.name in messaging_metadata.tables or table.name == "alembic_version"
    )
