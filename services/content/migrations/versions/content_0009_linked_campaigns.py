"""the campaigns a live session may link, a read model of campaigns' calendar events

Revision ID: content_0009
Revises: content_0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "content_0009"
down_revision: str | None = "content_0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "linked_campaigns",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "scheduled",
                "running",
                "ended",
                "cancelled",
                name="campaignstate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("campaign_id"),
    )


def downgrade() -> None:
    op.drop_table("linked_campaigns")
