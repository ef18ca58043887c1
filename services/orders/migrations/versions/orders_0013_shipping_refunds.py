"""The shipping fee given back: on each refund, the part of its amount that was the order's
shipping (0 for the refunds so far), and on each order the refund that gave it back.

Revision ID: orders_0013
Revises: orders_0012
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "orders_0013"
down_revision: str | None = "orders_0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("refunds") as batch:
        batch.add_column(
            sa.Column("shipping_minor", sa.BigInteger(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("shipping_refund_id", sa.Uuid(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("shipping_refund_id")
    with op.batch_alter_table("refunds") as batch:
        batch.drop_column("shipping_minor")
