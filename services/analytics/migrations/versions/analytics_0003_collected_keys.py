"""collected keys: each client event is published once

Revision ID: analytics_0003
Revises: analytics_0002
Create Date: 2026-12-01 09:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "analytics_0003"
down_revision: str | None = "analytics_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "collected_keys",
        sa.Column("anonymous_id", sa.String(length=64), nullable=False),
        sa.Column("client_event_id", sa.String(length=64), nullable=False),
        sa.Column("collected_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("anonymous_id", "client_event_id"),
    )
    with op.batch_alter_table("collected_keys", schema=None) as batch_op:
        batch_op.create_index("ix_collected_keys_collected_at", ["collected_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("collected_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_collected_keys_collected_at")
    op.drop_table("collected_keys")
