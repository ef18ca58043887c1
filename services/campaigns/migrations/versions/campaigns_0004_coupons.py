"""coupons: templates and the coupons customers hold

Revision ID: campaigns_0004
Revises: campaigns_0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "campaigns_0004"
down_revision: str | None = "campaigns_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KIND = sa.Enum(
    "fixed",
    "percent",
    "threshold",
    "free_shipping",
    name="couponkind",
    native_enum=False,
    length=32,
)
STATUS = sa.Enum("claimed", "locked", "redeemed", name="couponstatus", native_enum=False, length=32)


def upgrade() -> None:
    op.create_table(
        "coupon_templates",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("campaign_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", KIND, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("amount_off", sa.BigInteger(), nullable=False),
        sa.Column("percent_off", sa.Integer(), nullable=False),
        sa.Column("cap", sa.BigInteger(), nullable=True),
        sa.Column("threshold", sa.BigInteger(), nullable=False),
        sa.Column("repeatable", sa.Boolean(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("valid_days", sa.Integer(), nullable=True),
        sa.Column("total_quantity", sa.Integer(), nullable=False),
        sa.Column("claimed", sa.Integer(), nullable=False),
        sa.Column("per_user_limit", sa.Integer(), nullable=False),
        sa.Column("sku_ids", sa.JSON(), nullable=False),
        sa.Column("category_ids", sa.JSON(), nullable=False),
        sa.Column("brand_ids", sa.JSON(), nullable=False),
        sa.Column("excluded_sku_ids", sa.JSON(), nullable=False),
        sa.Column("stacking_group", sa.String(64), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("claimed <= total_quantity", name="claimed_within_total"),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_coupon_templates_campaign_id", "coupon_templates", ["campaign_id"])
    op.create_table(
        "coupons",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("template_id", sa.Uuid(), nullable=False),
        sa.Column("holder_id", sa.Uuid(), nullable=False),
        sa.Column("claim_number", sa.Integer(), nullable=False),
        sa.Column("status", STATUS, nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=True),
        sa.Column("discount", sa.BigInteger(), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("redeemed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["template_id"], ["coupon_templates.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("template_id", "holder_id", "claim_number"),
    )
    op.create_index("ix_coupons_holder_id_id", "coupons", ["holder_id", "id"])
    op.create_index("ix_coupons_order_id", "coupons", ["order_id"])


def downgrade() -> None:
    op.drop_table("coupons")
    op.drop_table("coupon_templates")
