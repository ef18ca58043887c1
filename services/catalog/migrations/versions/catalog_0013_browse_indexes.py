"""browse and search at scale: listed products in price and newest order, and the search
words' tsvector stored once (PostgreSQL) instead of parsed again for every match's rank

Revision ID: catalog_0013
Revises: catalog_0012
"""

from collections.abc import Sequence

from alembic import op

revision: str = "catalog_0013"
down_revision: str | None = "catalog_0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_products_browse_price", "products", ["state", "price_amount", "id"])
    op.create_index("ix_products_browse_newest", "products", ["state", "listed_at", "id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE search_documents ADD COLUMN tsv tsvector "
            "GENERATED ALWAYS AS (to_tsvector('simple', words)) STORED"
        )
        op.execute("DROP INDEX ix_search_documents_words")
        op.execute("CREATE INDEX ix_search_documents_tsv ON search_documents USING gin (tsv)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_search_documents_tsv")
        op.execute("ALTER TABLE search_documents DROP COLUMN tsv")
        op.execute(
            "CREATE INDEX ix_search_documents_words ON search_documents "
            "USING gin (to_tsvector('simple', words))"
        )
    op.drop_index("ix_products_browse_newest", table_name="products")
    op.drop_index("ix_products_browse_price", table_name="products")
