"""categories: the tree with roles, and a product's category

Revision ID: catalog_0003
Revises: catalog_0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "catalog_0003"
down_revision: str | None = "catalog_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES = ("core", "advantage", "potential", "to_eliminate")


def upgrade() -> None:
    op.create_table(
        "categories",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("path", sa.String(length=240), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "role",
            sa.Enum(*ROLES, name="categoryrole", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["categories.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_categories_path", "categories", ["path"])
    with op.batch_alter_table("products") as batch:
        batch.add_column(sa.Column("category_id", sa.Uuid(), nullable=True))
        batch.create_foreign_key("fk_products_category_id", "categories", ["category_id"], ["id"])
        batch.create_index("ix_products_category_id", ["category_id"])


def downgrade() -> None:
    with op.batch_alter_table("products") as batch:
        batch.drop_index("ix_products_category_id")
        batch.drop_constraint("fk_products_category_id", type_="foreignkey")
        batch.drop_column("category_id")
    op.drop_index("ix_categories_path", table_name="categories")
    op.drop_table("categories")
