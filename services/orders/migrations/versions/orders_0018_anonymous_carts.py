"""Anonymous carts: a visitor's cart before they sign in, reached by a secret token (only its
SHA-256 is kept); cart lines belong to an owner, a customer or an anonymous cart, so the
column `customer_id` becomes `owner_id` (a customer's lines keep their customer's id).

Revision ID: orders_0018
Revises: orders_0017
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "orders_0018"
down_revision: str | None = "orders_0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cart_lines") as batch:
        batch.alter_column("customer_id", new_column_name="owner_id")
    op.create_table(
        "anonymous_carts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("touched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ux_anonymous_carts_token", "anonymous_carts", ["token_hash"], unique=True)
    op.create_index("ix_anonymous_carts_touched", "anonymous_carts", ["touched_at"])


def downgrade() -> None:
    # Anonymous carts' lines have no customer to go back to.
    op.execute("DELETE FROM cart_lines WHERE owner_id IN (SELECT id FROM anonymous_carts)")
    op.drop_index("ix_anonymous_carts_touched", table_name="anonymous_carts")
    op.drop_index("ux_anonymous_carts_token", table_name="anonymous_carts")
    op.drop_table("anonymous_carts")
    with op.batch_alter_table("cart_lines") as batch:
        batch.alter_column("owner_id", new_column_name="customer_id")
