"""Campaigns' calendar read model: which campaigns may price which SKUs, and when (checkout
charges the catalog's price without campaigns' quote only for SKUs none of them covers).

Revision ID: orders_0016
Revises: orders_0015
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "orders_0016"
down_revision: str | None = "orders_0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "campaign_windows",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(40), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("campaign_id"),
    )
    op.create_table(
        "campaign_skus",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("sku_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("campaign_id", "sku_id"),
    )
    op.create_index("ix_campaign_skus_sku", "campaign_skus", ["sku_id"])


def downgrade() -> None:
    op.drop_index("ix_campaign_skus_sku", table_name="campaign_skus")
    op.drop_table("campaign_skus")
    op.drop_table("campaign_windows")
