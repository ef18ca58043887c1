"""the listing review: who submitted, who reviewed, when listed; the in_review state

Revision ID: catalog_0005
Revises: catalog_0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "catalog_0005"
down_revision: str | None = "catalog_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATES = ("draft", "listed", "delisted")
STATES = ("draft", "in_review", "listed", "delisted")


def upgrade() -> None:
    with op.batch_alter_table("products") as batch:
        batch.add_column(sa.Column("submitted_by", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("reviewed_by", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("review_note", sa.String(length=500), nullable=True))
        batch.add_column(sa.Column("listed_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_products_listed_at", ["listed_at"])
        batch.alter_column(
            "state",
            existing_type=sa.Enum(*OLD_STATES, name="listingstate", native_enum=False, length=32),
            type_=sa.Enum(*STATES, name="listingstate", native_enum=False, length=32),
            existing_nullable=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("products") as batch:
        batch.drop_index("ix_products_listed_at")
        for name in ("listed_at", "review_note", "reviewed_by", "submitted_by"):
            batch.drop_column(name)
