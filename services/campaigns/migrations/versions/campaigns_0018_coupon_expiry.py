"""claimed coupons past their validity expire: the index of the expiry's scan

Revision ID: campaigns_0018
Revises: campaigns_0017
"""

from collections.abc import Sequence

from alembic import op

revision: str = "campaigns_0018"
down_revision: str | None = "campaigns_0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_coupons_status_valid_until", "coupons", ["status", "valid_until"])


def downgrade() -> None:
    op.drop_index("ix_coupons_status_valid_until", "coupons")
