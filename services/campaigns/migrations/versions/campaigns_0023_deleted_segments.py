"""segments users deleted: their members dropped from the read model, later entries ignored

Revision ID: campaigns_0023
Revises: campaigns_0022
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "campaigns_0023"
down_revision: str | None = "campaigns_0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deleted_segments",
        sa.Column("segment_id", sa.Uuid(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("segment_id"),
    )


def downgrade() -> None:
    op.drop_table("deleted_segments")
