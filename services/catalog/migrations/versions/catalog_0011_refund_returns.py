"""refund returns: the ledger names the refund that brought goods back, once per SKU

Revision ID: catalog_0011
Revises: catalog_0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "catalog_0011"
down_revision: str | None = "catalog_0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("stock_ledger", sa.Column("refund_id", sa.Uuid(), nullable=True))
    op.create_index("uq_stock_ledger_refund", "stock_ledger", ["refund_id", "sku_id"], unique=True)
    op.create_index("ix_stock_ledger_order", "stock_ledger", ["order_id", "sku_id"])


def downgrade() -> None:
    op.drop_index("ix_stock_ledger_order", table_name="stock_ledger")
    op.drop_index("uq_stock_ledger_refund", table_name="stock_ledger")
    with op.batch_alter_table("stock_ledger") as table:
        table.drop_column("refund_id")
