"""flash items stopped when catalog delists their SKU during the session

Revision ID: campaigns_0024
Revises: campaigns_0023
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "campaigns_0024"
down_revision: str | None = "campaigns_0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("flash_items") as batch:
        batch.add_column(sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True))
    # The consumer stops a SKU's items in the sessions still selling: found by SKU.
    op.create_index("ix_flash_items_sku_id", "flash_items", ["sku_id"])


def downgrade() -> None:
    op.drop_index("ix_flash_items_sku_id", "flash_items")
    with op.batch_alter_table("flash_items") as batch:
        batch.drop_column("stopped_at")
