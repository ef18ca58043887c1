"""segment membership read model; coupon grants to a segment, batch by batch

Revision ID: campaigns_0014
Revises: campaigns_0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "campaigns_0014"
down_revision: str | None = "campaigns_0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUS = sa.Enum("running", "done", name="grantstatus", native_enum=False, length=32)


def upgrade() -> None:
    op.create_table(
        "segment_members",
        sa.Column("segment_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("segment_id", "user_id"),
    )
    op.create_table(
        "segment_grants",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("template_id", sa.Uuid(), nullable=False),
        sa.Column("segment_id", sa.Uuid(), nullable=False),
        sa.Column("status", STATUS, nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("after", sa.Uuid(), nullable=True),
        sa.Column("seen", sa.Integer(), nullable=False),
        sa.Column("granted", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["template_id"], ["coupon_templates.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_segment_grants_segment_id", "segment_grants", ["segment_id"])
    op.create_index("ix_segment_grants_status", "segment_grants", ["status"])
    op.create_table(
        "segment_grant_recipients",
        sa.Column("grant_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("coupon_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(["grant_id"], ["segment_grants.id"]),
        sa.PrimaryKeyConstraint("grant_id", "user_id"),
    )


def downgrade() -> None:
    op.drop_table("segment_grant_recipients")
    op.drop_index("ix_segment_grants_status", "segment_grants")
    op.drop_index("ix_segment_grants_segment_id", "segment_grants")
    op.drop_table("segment_grants")
    op.drop_table("segment_members")
