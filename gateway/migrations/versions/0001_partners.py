"""Partners and their API keys.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gateway_partners",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gateway_partners")),
        sa.UniqueConstraint("name", name=op.f("uq_gateway_partners_name")),
    )
    op.create_table(
        "gateway_partner_keys",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("partner_id", sa.Uuid(), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["gateway_partners.id"],
            name=op.f("fk_gateway_partner_keys_partner_id_gateway_partners"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gateway_partner_keys")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_gateway_partner_keys_secret_hash")),
    )
    op.create_index(
        op.f("ix_gateway_partner_keys_partner_id"), "gateway_partner_keys", ["partner_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_gateway_partner_keys_partner_id"), table_name="gateway_partner_keys")
    op.drop_table("gateway_partner_keys")
    op.drop_table("gateway_partners")
