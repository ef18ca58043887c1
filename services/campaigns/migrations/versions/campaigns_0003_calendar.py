"""calendar: time zones, targeting, reasons, campaign SKUs

Revision ID: campaigns_0003
Revises: campaigns_0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "campaigns_0003"
down_revision: str | None = "campaigns_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(
            sa.Column("time_zone", sa.String(64), nullable=False, server_default="UTC")
        )
        batch.add_column(sa.Column("segments", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("channels", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("override_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("cancel_reason", sa.Text(), nullable=True))
        batch.create_index("ix_campaigns_state_starts_at", ["state", "starts_at"])
    op.create_table(
        "campaign_skus",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("sku_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("campaign_id", "sku_id"),
    )
    op.create_index("ix_campaign_skus_sku_id", "campaign_skus", ["sku_id"])


def downgrade() -> None:
    op.drop_index("ix_campaign_skus_sku_id", table_name="campaign_skus")
    op.drop_table("campaign_skus")
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_index("ix_campaigns_state_starts_at")
        for column in ("cancel_reason", "override_reason", "channels", "segments", "time_zone"):
            batch.drop_column(column)
