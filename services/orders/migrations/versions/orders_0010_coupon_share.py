"""Each order line's share of the order's coupon discounts (campaigns' quote at checkout).

Existing lines were placed without coupon discounts: NULL.

Revision ID: orders_0010
Revises: orders_0009
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "orders_0010"
down_revision: str | None = "orders_0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("order_lines") as batch:
        batch.add_column(sa.Column("coupon_discount_amount", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("order_lines") as batch:
        batch.drop_column("coupon_discount_amount")
