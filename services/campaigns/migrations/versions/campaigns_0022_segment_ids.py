"""campaigns name their target segments by users' segment id, written canonically

Revision ID: campaigns_0022
Revises: campaigns_0021

The calendar took any short key as a segment before; the membership read model (and so the
campaign prices' targeting and the conflicts) goes by id. Keys that are ids written another
way (32 hex digits without dashes) are rewritten as users writes ids; a name cannot be
resolved here (users publishes no segment names) and is left as it was: it targets nobody,
as it did for prices.
"""

from collections.abc import Sequence
from uuid import UUID

import sqlalchemy as sa
from alembic import op

revision: str = "campaigns_0022"
down_revision: str | None = "campaigns_0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

campaigns = sa.table("campaigns", sa.column("id", sa.Uuid()), sa.column("segments", sa.JSON()))


def _canonical(key: str) -> str:
    try:
        return str(UUID(key))
    except ValueError:
        return key


def upgrade() -> None:
    connection = op.get_bind()
    for row in connection.execute(sa.select(campaigns.c.id, campaigns.c.segments)).all():
        segments = [_canonical(key) for key in row.segments or []]
        if segments != (row.segments or []):
            connection.execute(
                campaigns.update().where(campaigns.c.id == row.id).values(segments=segments)
            )


def downgrade() -> None:
    pass  # the canonical form is a valid key of the revisions before
