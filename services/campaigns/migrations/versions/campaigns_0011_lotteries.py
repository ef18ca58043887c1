"""lotteries: lotteries, prizes, entrants, daily chances, chance grants, draws

Revision ID: campaigns_0011
Revises: campaigns_0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "campaigns_0011"
down_revision: str | None = "campaigns_0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KIND = sa.Enum("coupon", "points", "item", name="prizekind", native_enum=False, length=32)
FULFILMENT = sa.Enum(
    "none",
    "issued",
    "failed",
    "awarded",
    "pending",
    "shipped",
    "delivered",
    name="fulfilment",
    native_enum=False,
    length=32,
)


def upgrade() -> None:
    op.create_table(
        "lotteries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("campaign_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("time_zone", sa.String(64), nullable=False),
        sa.Column("draws_per_day", sa.Integer(), nullable=False),
        sa.Column("no_prize_weight", sa.Integer(), nullable=False),
        sa.Column("server_seed", sa.LargeBinary(32), nullable=False),
        sa.Column("seed_hash", sa.String(64), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_lotteries_campaign_id", "lotteries", ["campaign_id"])
    op.create_table(
        "lottery_prizes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("lottery_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", KIND, nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=False),
        sa.Column("stock_left", sa.Integer(), nullable=False),
        sa.Column("coupon_template_id", sa.Uuid(), nullable=True),
        sa.Column("points", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "stock_left >= 0 AND stock_left <= stock", name="stock_left_within_stock"
        ),
        sa.ForeignKeyConstraint(["lottery_id"], ["lotteries.id"]),
        sa.ForeignKeyConstraint(["coupon_template_id"], ["coupon_templates.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("lottery_id", "position"),
    )
    op.create_table(
        "lottery_entrants",
        sa.Column("lottery_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("draws", sa.Integer(), nullable=False),
        sa.Column("extra_granted", sa.Integer(), nullable=False),
        sa.Column("extra_used", sa.Integer(), nullable=False),
        sa.CheckConstraint("extra_used >= 0 AND extra_used <= extra_granted", name="extra_within"),
        sa.ForeignKeyConstraint(["lottery_id"], ["lotteries.id"]),
        sa.PrimaryKeyConstraint("lottery_id", "user_id"),
    )
    op.create_table(
        "lottery_daily_chances",
        sa.Column("lottery_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["lottery_id"], ["lotteries.id"]),
        sa.PrimaryKeyConstraint("lottery_id", "user_id", "day"),
    )
    op.create_table(
        "lottery_chance_grants",
        sa.Column("lottery_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("chances", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("granted_by", sa.Uuid(), nullable=True),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["lottery_id"], ["lotteries.id"]),
        sa.PrimaryKeyConstraint("lottery_id", "key"),
    )
    op.create_table(
        "lottery_draws",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("lottery_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("counter", sa.Integer(), nullable=False),
        sa.Column("picked_position", sa.Integer(), nullable=True),
        sa.Column("prize_id", sa.Uuid(), nullable=True),
        sa.Column("fulfilment", FULFILMENT, nullable=False),
        sa.Column("fulfilment_note", sa.String(500), nullable=True),
        sa.Column("coupon_id", sa.Uuid(), nullable=True),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["lottery_id"], ["lotteries.id"]),
        sa.ForeignKeyConstraint(["prize_id"], ["lottery_prizes.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("lottery_id", "user_id", "counter"),
    )
    op.create_index("ix_lottery_draws_lottery_id_id", "lottery_draws", ["lottery_id", "id"])
    op.create_index("ix_lottery_draws_user_id_id", "lottery_draws", ["user_id", "id"])


def downgrade() -> None:
    op.drop_table("lottery_draws")
    op.drop_table("lottery_chance_grants")
    op.drop_table("lottery_daily_chances")
    op.drop_table("lottery_entrants")
    op.drop_table("lottery_prizes")
    op.drop_table("lotteries")
