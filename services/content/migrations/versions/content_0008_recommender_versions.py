"""the recommender's trained versions, shared by every replica, and the training turns

Revision ID: content_0008
Revises: content_0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "content_0008"
down_revision: str | None = "content_0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "recommender_versions",
        sa.Column("version", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("trained_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("users", sa.Integer(), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("interactions", sa.BigInteger(), nullable=False),
        sa.Column("snapshot", sa.LargeBinary(), nullable=True),
        sa.Column("segments", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("version"),
    )
    op.create_table(
        "recommender_turns",
        sa.Column("period", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("period"),
    )


def downgrade() -> None:
    op.drop_table("recommender_turns")
    op.drop_table("recommender_versions")
