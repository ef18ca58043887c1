"""birthdays

Revision ID: users_0021
Revises: users_0020
Create Date: 2026-12-04 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "users_0021"
down_revision: str | None = "users_0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # the birthday without its year (no one has given one yet, so no timer is owed)
    with op.batch_alter_table("profiles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("birth_month", sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column("birth_day", sa.SmallInteger(), nullable=True))
    op.create_table(
        "birthday_timers",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )
    with op.batch_alter_table("birthday_timers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_birthday_timers_due_at"), ["due_at"], unique=False)
    op.create_table(
        "birthdays_announced",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("announced_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "year"),
    )


def downgrade() -> None:
    op.drop_table("birthdays_announced")
    with op.batch_alter_table("birthday_timers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_birthday_timers_due_at"))
    op.drop_table("birthday_timers")
    with op.batch_alter_table("profiles", schema=None) as batch_op:
        batch_op.drop_column("birth_day")
        batch_op.drop_column("birth_month")
