"""tag evidence ages

Revision ID: users_0016
Revises: users_0015
Create Date: 2026-12-02 03:40:00.000000
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "users_0016"
down_revision: str | None = "users_0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tag_evidence_days",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("tag", sa.String(length=60), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "product_view", "content", "paid_order", name="source", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "tag", "source", "day"),
    )
    op.create_table(
        "tag_timers",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )
    with op.batch_alter_table("tag_timers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tag_timers_due_at"), ["due_at"], unique=False)

    # Evidence counted before kept no days: each row's whole count goes to the day it was
    # last seen (the most it can be credited), and every user holding a system tag gets a
    # timer due now, so the scheduler derives their tags under the window within a turn.
    day = (
        "(last_seen_at AT TIME ZONE 'UTC')::date"
        if op.get_bind().dialect.name == "postgresql"
        else "date(last_seen_at)"
    )
    op.execute(
        "INSERT INTO tag_evidence_days (user_id, tag, source, day, count) "
        f"SELECT user_id, tag, source, {day}, count FROM tag_evidence"
    )
    op.get_bind().execute(
        sa.text(
            "INSERT INTO tag_timers (user_id, due_at) "
            "SELECT DISTINCT user_id, :now FROM user_tags WHERE origin = 'system'"
        ).bindparams(sa.bindparam("now", datetime.now(UTC), type_=sa.DateTime(timezone=True)))
    )


def downgrade() -> None:
    with op.batch_alter_table("tag_timers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tag_timers_due_at"))

    op.drop_table("tag_timers")
    op.drop_table("tag_evidence_days")
