"""events move to the ClickHouse store: the SQL copy goes

Revision ID: analytics_0002
Revises: analytics_0001
Create Date: 2026-12-01 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "analytics_0002"
down_revision: str | None = "analytics_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_type_time")
        batch_op.drop_index("ix_events_time")
        batch_op.drop_index("ix_events_subject_time")
    op.drop_table("events")


def downgrade() -> None:
    # The table comes back empty: its rows live in the event store now.
    op.create_table(
        "events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=True),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_subject_time", ["subject", "time"], unique=False)
        batch_op.create_index("ix_events_time", ["time"], unique=False)
        batch_op.create_index("ix_events_type_time", ["type", "time"], unique=False)
