"""whom a yearly grant rule (a birthday's) gave to, per year

Revision ID: campaigns_0026
Revises: campaigns_0025
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "campaigns_0026"
down_revision: str | None = "campaigns_0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # once per rule, user and year: a birthday rule gives again next year
    op.create_table(
        "coupon_grant_rule_yearly_recipients",
        sa.Column("rule_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("coupon_id", sa.Uuid(), nullable=True),
        sa.Column("skipped", sa.String(length=200), nullable=True),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["rule_id"], ["coupon_grant_rules.id"]),
        sa.PrimaryKeyConstraint("rule_id", "user_id", "year"),
    )


def downgrade() -> None:
    op.drop_table("coupon_grant_rule_yearly_recipients")
