"""campaign prices: a SKU's price while its campaign runs

Revision ID: campaigns_0016
Revises: campaigns_0015
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "campaigns_0016"
down_revision: str | None = "campaigns_0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "campaign_prices",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("sku_id", sa.Uuid(), nullable=False),
        sa.Column("price_amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("campaign_id", "sku_id"),
    )
    op.create_index("ix_campaign_prices_sku_id", "campaign_prices", ["sku_id"])


def downgrade() -> None:
    op.drop_index("ix_campaign_prices_sku_id", "campaign_prices")
    op.drop_table("campaign_prices")
