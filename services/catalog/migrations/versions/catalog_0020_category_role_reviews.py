"""category role reviews: operators' decisions on categories' health reports

Revision ID: catalog_0020
Revises: catalog_0019
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "catalog_0020"
down_revision: str | None = "catalog_0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "category_role_reviews",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("category_id", sa.Uuid(), nullable=False),
        sa.Column("role_before", sa.String(length=32), nullable=False),
        sa.Column("suggested", sa.String(length=32), nullable=True),
        sa.Column("suggestion_reason", sa.String(length=500), nullable=True),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("decided_by", sa.Uuid(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["category_id"], ["categories.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_category_role_reviews_category",
        "category_role_reviews",
        ["category_id", "decided_at"],
    )


def downgrade() -> None:
    op.drop_table("category_role_reviews")
