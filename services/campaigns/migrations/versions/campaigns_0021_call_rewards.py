"""coupons for content calls' winners, once per (call, post)

Revision ID: campaigns_0021
Revises: campaigns_0020
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "campaigns_0021"
down_revision: str | None = "campaigns_0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "coupon_call_rewards",
        sa.Column("call_id", sa.Uuid(), nullable=False),
        sa.Column("post_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Uuid(), nullable=False),
        sa.Column("coupon_id", sa.Uuid(), nullable=True),
        sa.Column("skipped", sa.String(200), nullable=True),
        sa.Column("rewarded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("call_id", "post_id"),
    )


def downgrade() -> None:
    op.drop_table("coupon_call_rewards")
