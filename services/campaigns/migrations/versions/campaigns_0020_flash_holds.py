"""flash sessions' life and catalog's hold of their stock

Revision ID: campaigns_0020
Revises: campaigns_0019

Sessions set up before this revision never asked catalog for their stock: they are taken as
held (sold from campaigns' own counter, as they were), and end as any other.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "campaigns_0020"
down_revision: str | None = "campaigns_0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SESSION_STATE = sa.Enum(
    "pending",
    "held",
    "refused",
    "cancelled",
    "ended",
    name="sessionstate",
    native_enum=False,
    length=32,
)
HOLD_STATE = sa.Enum("pending", "held", "refused", name="holdstate", native_enum=False, length=32)


def upgrade() -> None:
    with op.batch_alter_table("flash_sessions") as batch:
        batch.add_column(sa.Column("state", SESSION_STATE, nullable=False, server_default="held"))
        batch.add_column(sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("flash_sessions") as batch:
        batch.alter_column("state", server_default=None)
    op.create_index("ix_flash_sessions_state_ends_at", "flash_sessions", ["state", "ends_at"])
    with op.batch_alter_table("flash_items") as batch:
        batch.add_column(sa.Column("hold", HOLD_STATE, nullable=False, server_default="held"))
        for name in ("hold_available", "sold", "returned"):
            batch.add_column(sa.Column(name, sa.Integer(), nullable=True))
    with op.batch_alter_table("flash_items") as batch:
        batch.alter_column("hold", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("flash_items") as batch:
        for name in ("hold", "hold_available", "sold", "returned"):
            batch.drop_column(name)
    op.drop_index("ix_flash_sessions_state_ends_at", "flash_sessions")
    with op.batch_alter_table("flash_sessions") as batch:
        batch.drop_column("ended_at")
        batch.drop_column("state")
