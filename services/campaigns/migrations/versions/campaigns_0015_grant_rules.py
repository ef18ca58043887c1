"""coupon grant rules fired by events, once per user per rule; templates granted on
registration become rules, with the users they already gave to

Revision ID: campaigns_0015
Revises: campaigns_0014
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "campaigns_0015"
down_revision: str | None = "campaigns_0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGGER = sa.Enum(
    "registration", "lifecycle", "tier", name="granttrigger", native_enum=False, length=32
)


def upgrade() -> None:
    rules = op.create_table(
        "coupon_grant_rules",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("template_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("trigger", TRIGGER, nullable=False),
        sa.Column("to_stages", sa.JSON(), nullable=False),
        sa.Column("from_stages", sa.JSON(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("to_tiers", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["template_id"], ["coupon_templates.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_coupon_grant_rules_trigger_active", "coupon_grant_rules", ["trigger", "active"]
    )
    recipients = op.create_table(
        "coupon_grant_rule_recipients",
        sa.Column("rule_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("coupon_id", sa.Uuid(), nullable=True),
        sa.Column("skipped", sa.String(length=200), nullable=True),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["rule_id"], ["coupon_grant_rules.id"]),
        sa.PrimaryKeyConstraint("rule_id", "user_id"),
    )
    _rules_of_registration_templates(rules, recipients)


def _rules_of_registration_templates(rules: sa.Table, recipients: sa.Table) -> None:
    bind = op.get_bind()
    templates = sa.table(
        "coupon_templates",
        sa.column("id", sa.Uuid()),
        sa.column("name", sa.String()),
        sa.column("grant_on", sa.String()),
        sa.column("created_by", sa.Uuid()),
    )
    coupons = sa.table(
        "coupons",
        sa.column("id", sa.Uuid()),
        sa.column("template_id", sa.Uuid()),
        sa.column("holder_id", sa.Uuid()),
        sa.column("claim_number", sa.Integer()),
    )
    at = datetime.now(UTC)
    for template in bind.execute(
        sa.select(templates).where(templates.c.grant_on == "registration")
    ).all():
        rule_id = uuid.uuid4()
        bind.execute(
            rules.insert().values(
                id=rule_id,
                template_id=template.id,
                name=template.name,
                trigger="registration",
                to_stages=[],
                from_stages=[],
                reasons=[],
                to_tiers=[],
                active=True,
                created_by=template.created_by,
                created_at=at,
            )
        )
        given = bind.execute(
            sa.select(coupons.c.holder_id, coupons.c.id).where(
                coupons.c.template_id == template.id, coupons.c.claim_number == 1
            )
        ).all()
        if given:
            bind.execute(
                recipients.insert(),
                [
                    {"rule_id": rule_id, "user_id": u, "coupon_id": c, "fired_at": at}
                    for u, c in given
                ],
            )


def downgrade() -> None:
    op.drop_table("coupon_grant_rule_recipients")
    op.drop_index("ix_coupon_grant_rules_trigger_active", "coupon_grant_rules")
    op.drop_table("coupon_grant_rules")
