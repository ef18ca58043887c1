"""coupon templates: whether a refunded order's coupon goes back to its holder

Revision ID: campaigns_0013
Revises: campaigns_0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "campaigns_0013"
down_revision: str | None = "campaigns_0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("coupon_templates") as table:
        table.add_column(
            sa.Column("restore_on_refund", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("coupon_templates") as table:
        table.drop_column("restore_on_refund")
