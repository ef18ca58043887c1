"""coupon grants: templates given upon an event (the welcome perk)

Revision ID: campaigns_0008
Revises: campaigns_0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "campaigns_0008"
down_revision: str | None = "campaigns_0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("coupon_templates") as batch:
        batch.add_column(
            sa.Column(
                "grant_on",
                sa.Enum("registration", name="granttrigger", native_enum=False, length=32),
                nullable=True,
            )
        )
        batch.create_index("ix_coupon_templates_grant_on", ["grant_on"])


def downgrade() -> None:
    with op.batch_alter_table("coupon_templates") as batch:
        batch.drop_index("ix_coupon_templates_grant_on")
        batch.drop_column("grant_on")
