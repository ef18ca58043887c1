"""sku weights: the shipping weight of one unit, which orders prices freight by

Revision ID: catalog_0021
Revises: catalog_0020
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "catalog_0021"
down_revision: str | None = "catalog_0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("skus", sa.Column("weight_grams", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("skus", "weight_grams")
