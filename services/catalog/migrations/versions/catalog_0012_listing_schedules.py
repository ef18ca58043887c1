"""listing schedules: a product to list or delist at a time

Revision ID: catalog_0012
Revises: catalog_0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "catalog_0012"
down_revision: str | None = "catalog_0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "listing_schedules",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column(
            "move",
            sa.Enum("list", "delist", name="scheduledmove", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "done",
                "skipped",
                "cancelled",
                name="schedulestate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_listing_schedules_due", "listing_schedules", ["state", "at"])
    op.create_index("ix_listing_schedules_product", "listing_schedules", ["product_id", "at", "id"])


def downgrade() -> None:
    op.drop_index("ix_listing_schedules_product", table_name="listing_schedules")
    op.drop_index("ix_listing_schedules_due", table_name="listing_schedules")
    op.drop_table("listing_schedules")
