"""synonyms: groups of terms that queries may use for one another, one group per term

Revision ID: catalog_0014
Revises: catalog_0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "catalog_0014"
down_revision: str | None = "catalog_0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "synonym_groups",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "synonym_terms",
        sa.Column("term", sa.String(length=40), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["synonym_groups.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("term"),
    )
    op.create_index("ix_synonym_terms_group", "synonym_terms", ["group_id"])


def downgrade() -> None:
    op.drop_index("ix_synonym_terms_group", table_name="synonym_terms")
    op.drop_table("synonym_terms")
    op.drop_table("synonym_groups")
