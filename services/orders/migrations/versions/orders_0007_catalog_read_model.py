"""The catalog read model by SKU: products' listing state, their SKUs, SKU price points
(each with the time of the catalog event that set it), instead of `known_products`.

Each known product becomes a product of unknown listing state (it is orderable until an
event says it was delisted) with one SKU of its own id, priced from the start of time.

Revision ID: orders_0007
Revises: orders_0006
Create Date: 2026-12-01
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "orders_0007"
down_revision: str | None = "orders_0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


def upgrade() -> None:
    products = op.create_table(
        "catalog_products",
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("details_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("state", sa.String(length=30), nullable=True),
        sa.Column("state_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("product_id"),
    )
    skus = op.create_table(
        "catalog_skus",
        sa.Column("sku_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=True),
        sa.Column("present", sa.Boolean(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sku_id"),
    )
    op.create_index("ix_catalog_skus_product_id", "catalog_skus", ["product_id"])
    points = op.create_table(
        "sku_price_points",
        sa.Column("sku_id", sa.Uuid(), nullable=False),
        sa.Column("effective_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.PrimaryKeyConstraint("sku_id", "effective_at"),
    )
    known = sa.table(
        "known_products",
        sa.column("product_id", sa.Uuid()),
        sa.column("name", sa.String()),
        sa.column("price_amount", sa.BigInteger()),
        sa.column("currency", sa.String()),
    )
    rows = op.get_bind().execute(sa.select(known)).all()
    if rows:
        op.bulk_insert(
            products,
            [{"product_id": r.product_id, "name": r.name, "details_at": LONG_AGO} for r in rows],
        )
        op.bulk_insert(
            skus,
            [
                {
                    "sku_id": r.product_id,
                    "product_id": r.product_id,
                    "present": True,
                    "seen_at": LONG_AGO,
                }
                for r in rows
            ],
        )
        priced = [r for r in rows if r.price_amount is not None and r.currency is not None]
        if priced:
            op.bulk_insert(
                points,
                [
                    {
                        "sku_id": r.product_id,
                        "effective_at": LONG_AGO,
                        "amount": r.price_amount,
                        "currency": r.currency,
                    }
                    for r in priced
                ],
            )
    op.drop_table("known_products")


def downgrade() -> None:
    op.create_table(
        "known_products",
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("price_amount", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.PrimaryKeyConstraint("product_id"),
    )
    op.execute(
        "INSERT INTO known_products (product_id, name, price_amount, currency) "
        "SELECT s.sku_id, coalesce(p.name, ''), pp.amount, pp.currency FROM catalog_skus s "
        "LEFT JOIN catalog_products p ON p.product_id = s.product_id "
        "LEFT JOIN sku_price_points pp ON pp.sku_id = s.sku_id AND pp.effective_at = "
        "(SELECT max(effective_at) FROM sku_price_points q WHERE q.sku_id = s.sku_id)"
    )
    op.drop_table("sku_price_points")
    op.drop_index("ix_catalog_skus_product_id", table_name="catalog_skus")
    op.drop_table("catalog_skus")
    op.drop_table("catalog_products")
