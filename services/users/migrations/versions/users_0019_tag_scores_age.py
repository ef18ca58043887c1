"""tag scores age

Revision ID: users_0019
Revises: users_0018
Create Date: 2026-12-02 16:10:00.000000
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "users_0019"
down_revision: str | None = "users_0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Tag timers were set to the moment a tag drops; they now come due at each day of an
    # earned tag's evidence expiring, which is never later. Every timer is brought to now,
    # so the scheduler derives the holders' tags within a turn: scores fall to what their
    # remaining days give, and each timer moves to the next such day.
    now = sa.bindparam("now", datetime.now(UTC), type_=sa.DateTime(timezone=True))
    op.get_bind().execute(
        sa.text("UPDATE tag_timers SET due_at = :now WHERE due_at > :now").bindparams(now)
    )


def downgrade() -> None:
    pass  # earlier timers only fire sooner: the former rule moves them on when they do
