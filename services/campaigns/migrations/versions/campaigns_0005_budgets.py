"""budgets: each campaign's budget and spend, and the charges against it

Revision ID: campaigns_0005
Revises: campaigns_0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "campaigns_0005"
down_revision: str | None = "campaigns_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "budgets",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("spent", sa.BigInteger(), nullable=False),
        sa.Column("exhausted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("spent >= 0 AND spent <= amount", name="spent_within_budget"),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("campaign_id"),
    )
    # Campaigns planned before budgets had a table keep their budget.
    op.execute(
        "INSERT INTO budgets (campaign_id, currency, amount, spent) "
        "SELECT id, budget_currency, budget_amount, 0 FROM campaigns "
        "WHERE budget_amount IS NOT NULL AND budget_currency IS NOT NULL"
    )
    op.create_table(
        "budget_charges",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index("ix_budget_charges_campaign_id", "budget_charges", ["campaign_id"])


def downgrade() -> None:
    op.drop_table("budget_charges")
    op.drop_table("budgets")
