"""Checkout's idempotency keys move to the chassis' table (chassis_0002): the orders table
no longer carries them.

Keys of orders placed before this revision are forgotten; they are kept 24 hours anyway
(chassis.idempotency.RETENTION), so a retry that old is a new order either way.

Revision ID: orders_0003
Revises: orders_0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "orders_0003"
down_revision: str | None = "orders_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Dropping the key's column drops the unique constraint on it (PostgreSQL drops it with
    # the column; SQLite's batch copy leaves out a constraint whose column is gone).
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("request_fingerprint")
        batch.drop_column("idempotency_key")


def downgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("idempotency_key", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("request_fingerprint", sa.String(length=64), nullable=True))
        batch.create_unique_constraint(None, ["customer_id", "idempotency_key"])
