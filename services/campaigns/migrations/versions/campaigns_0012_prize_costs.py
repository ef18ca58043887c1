"""lottery prizes: what each award costs the campaign's budget

Revision ID: campaigns_0012
Revises: campaigns_0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "campaigns_0012"
down_revision: str | None = "campaigns_0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("lottery_prizes") as table:
        table.add_column(sa.Column("cost_amount", sa.BigInteger(), nullable=True))
        table.add_column(sa.Column("cost_currency", sa.String(3), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("lottery_prizes") as table:
        table.drop_column("cost_currency")
        table.drop_column("cost_amount")
