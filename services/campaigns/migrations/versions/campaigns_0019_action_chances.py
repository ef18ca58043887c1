"""lottery chances earned by users' check-ins and referrals

Revision ID: campaigns_0019
Revises: campaigns_0018
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "campaigns_0019"
down_revision: str | None = "campaigns_0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("chances_per_check_in", "chances_per_referral")


def upgrade() -> None:
    with op.batch_alter_table("lotteries") as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("lotteries") as batch:
        for name in COLUMNS:
            batch.drop_column(name)
