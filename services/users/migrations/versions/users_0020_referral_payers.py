"""referral payers

Revision ID: users_0020
Revises: users_0019
Create Date: 2026-12-03 09:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "users_0020"
down_revision: str | None = "users_0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # payer accounts (orders' payer_ref) seen on paid orders: a referral farming signal; none
    # are known of payments before orders carried them
    op.create_table(
        "user_payers",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("payer_ref", sa.String(length=64), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "payer_ref"),
    )
    with op.batch_alter_table("user_payers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_payers_payer_ref"), ["payer_ref"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("user_payers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_payers_payer_ref"))
    op.drop_table("user_payers")
