"""rfm timers

Revision ID: users_0018
Revises: users_0017
Create Date: 2026-12-02 16:00:00.000000
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "users_0018"
down_revision: str | None = "users_0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rfm_timers",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("user_id"),
    )
    with op.batch_alter_table("rfm_timers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rfm_timers_due_at"), ["due_at"], unique=False)

    # Users scored before had no timer: each gets one due now, so the scheduler scores them
    # again within a turn (announcing any recency fall missed) and sets their next due.
    op.get_bind().execute(
        sa.text(
            "INSERT INTO rfm_timers (user_id, due_at) SELECT user_id, :now FROM rfm_scores"
        ).bindparams(sa.bindparam("now", datetime.now(UTC), type_=sa.DateTime(timezone=True)))
    )


def downgrade() -> None:
    with op.batch_alter_table("rfm_timers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rfm_timers_due_at"))

    op.drop_table("rfm_timers")
