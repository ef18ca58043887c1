"""bargains: templates, bargains, helpers' cuts

Revision ID: campaigns_0010
Revises: campaigns_0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "campaigns_0010"
down_revision: str | None = "campaigns_0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUS = sa.Enum(
    "open",
    "reached",
    "ordered",
    "expired",
    "lapsed",
    name="bargainstatus",
    native_enum=False,
    length=32,
)


def upgrade() -> None:
    op.create_table(
        "bargain_templates",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("campaign_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("sku_id", sa.Uuid(), nullable=False),
        sa.Column("start_price_amount", sa.BigInteger(), nullable=False),
        sa.Column("floor_price_amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("helps", sa.Integer(), nullable=False),
        sa.Column("time_limit_minutes", sa.Integer(), nullable=False),
        sa.Column("order_minutes", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "floor_price_amount >= 0 AND start_price_amount - floor_price_amount >= helps",
            name="a_unit_per_help",
        ),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_bargain_templates_campaign_id", "bargain_templates", ["campaign_id"])
    op.create_table(
        "bargains",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("template_id", sa.Uuid(), nullable=False),
        sa.Column("starter_id", sa.Uuid(), nullable=False),
        sa.Column("sku_id", sa.Uuid(), nullable=False),
        sa.Column("start_price_amount", sa.BigInteger(), nullable=False),
        sa.Column("price_amount", sa.BigInteger(), nullable=False),
        sa.Column("floor_price_amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("helps", sa.Integer(), nullable=False),
        sa.Column("helps_done", sa.Integer(), nullable=False),
        sa.Column("status", STATUS, nullable=False),
        sa.Column("order_minutes", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reached_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("order_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("order_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint("price_amount >= floor_price_amount", name="price_not_below_floor"),
        sa.CheckConstraint("helps_done >= 0 AND helps_done <= helps", name="helps_within_needed"),
        sa.ForeignKeyConstraint(["template_id"], ["bargain_templates.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("template_id", "starter_id"),
    )
    op.create_index("ix_bargains_status_expires_at", "bargains", ["status", "expires_at"])
    op.create_index("ix_bargains_starter_id_id", "bargains", ["starter_id", "id"])
    op.create_index("ix_bargains_order_id", "bargains", ["order_id"])
    op.create_table(
        "bargain_cuts",
        sa.Column("bargain_id", sa.Uuid(), nullable=False),
        sa.Column("helper_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("cut_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["bargain_id"], ["bargains.id"]),
        sa.PrimaryKeyConstraint("bargain_id", "helper_id"),
        sa.UniqueConstraint("bargain_id", "number"),
    )


def downgrade() -> None:
    op.drop_table("bargain_cuts")
    op.drop_table("bargains")
    op.drop_table("bargain_templates")
