"""products get their details and SKUs; each SKU its stock level and ledger

Revision ID: catalog_0004
Revises: catalog_0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "catalog_0004"
down_revision: str | None = "catalog_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REASONS = ("initial", "receipt", "sale", "return", "damage", "count")


def upgrade() -> None:
    with op.batch_alter_table("products") as batch:
        batch.add_column(sa.Column("brand", sa.String(length=100), nullable=True))
        for name, empty in [
            ("attributes", "{}"),
            ("media", "[]"),
            ("keywords", "[]"),
            ("scenario_tags", "[]"),
        ]:
            batch.add_column(
                sa.Column(name, sa.JSON(), nullable=False, server_default=sa.text(f"'{empty}'"))
            )
        batch.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_products_brand", ["brand"])
    op.execute("UPDATE products SET updated_at = created_at")
    with op.batch_alter_table("products") as batch:
        batch.alter_column("updated_at", nullable=False, existing_type=sa.DateTime(timezone=True))
    op.create_table(
        "skus",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("price_amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("cost_amount", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_index("ix_skus_product_id", "skus", ["product_id"])
    op.create_table(
        "stock_levels",
        sa.Column("sku_id", sa.Uuid(), nullable=False),
        sa.Column("on_hand", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.Column("low_stock_threshold", sa.Integer(), nullable=False),
        sa.CheckConstraint("on_hand >= 0", name="ck_stock_levels_on_hand"),
        sa.CheckConstraint(
            "reserved >= 0 AND reserved <= on_hand", name="ck_stock_levels_reserved"
        ),
        sa.CheckConstraint("low_stock_threshold >= 0", name="ck_stock_levels_threshold"),
        sa.ForeignKeyConstraint(["sku_id"], ["skus.id"]),
        sa.PrimaryKeyConstraint("sku_id"),
    )
    op.create_table(
        "stock_ledger",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("sku_id", sa.Uuid(), nullable=False),
        sa.Column("delta", sa.Integer(), nullable=False),
        sa.Column(
            "reason",
            sa.Enum(*REASONS, name="ledgerreason", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("order_id", sa.Uuid(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["sku_id"], ["skus.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_stock_ledger_sku", "stock_ledger", ["sku_id", "created_at", "id"])
    # A product priced before SKUs existed becomes one SKU with the product's id (the
    # shorthand that creating a product with just a price still means), out of stock.
    op.execute(
        "INSERT INTO skus (id, product_id, position, code, attributes, price_amount, currency, "
        "created_at) SELECT id, id, 0, 'P' || id, '{}', price_amount, currency, created_at "
        "FROM products WHERE price_amount IS NOT NULL AND currency IS NOT NULL"
    )
    op.execute(
        "INSERT INTO stock_levels (sku_id, on_hand, reserved, low_stock_threshold) "
        "SELECT id, 0, 0, 0 FROM skus"
    )


def downgrade() -> None:
    op.drop_index("ix_stock_ledger_sku", table_name="stock_ledger")
    op.drop_table("stock_ledger")
    op.drop_table("stock_levels")
    op.drop_index("ix_skus_product_id", table_name="skus")
    op.drop_table("skus")
    with op.batch_alter_table("products") as batch:
        batch.drop_index("ix_products_brand")
        for name in ("updated_at", "scenario_tags", "keywords", "media", "attributes", "brand"):
            batch.drop_column(name)
