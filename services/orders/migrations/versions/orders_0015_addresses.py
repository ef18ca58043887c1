"""Shipping addresses: each order keeps the address it was placed with; customers keep an
address book (at most 20, one default).

Revision ID: orders_0015
Revises: orders_0014
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "orders_0015"
down_revision: str | None = "orders_0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("ship_recipient", sa.String(100), nullable=True))
        batch.add_column(sa.Column("ship_phone", sa.String(16), nullable=True))
        batch.add_column(sa.Column("ship_region", sa.String(10), nullable=True))
        batch.add_column(sa.Column("ship_address_lines", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("ship_postal_code", sa.String(10), nullable=True))
    op.create_table(
        "address_books",
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("default_address_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("customer_id"),
    )
    op.create_table(
        "addresses",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("recipient", sa.String(100), nullable=False),
        sa.Column("phone", sa.String(16), nullable=False),
        sa.Column("region", sa.String(10), nullable=False),
        sa.Column("address_lines", sa.JSON(), nullable=False),
        sa.Column("postal_code", sa.String(10), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_addresses_customer", "addresses", ["customer_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_addresses_customer", table_name="addresses")
    op.drop_table("addresses")
    op.drop_table("address_books")
    with op.batch_alter_table("orders") as batch:
        for column in (
            "ship_postal_code",
            "ship_address_lines",
            "ship_region",
            "ship_phone",
            "ship_recipient",
        ):
            batch.drop_column(column)
