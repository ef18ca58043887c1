"""Erased customers: users' `user.erased` marks them here, after what orders kept about them
was scrubbed, so that nothing personal is stored for them again.

Revision ID: orders_0014
Revises: orders_0013
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "orders_0014"
down_revision: str | None = "orders_0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "erased_customers",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )


def downgrade() -> None:
    op.drop_table("erased_customers")
