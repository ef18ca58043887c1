"""search: segmented words of listed products, suggestion terms; FTS5 on SQLite, full text and
trigram indexes on PostgreSQL

Revision ID: catalog_0007
Revises: catalog_0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "catalog_0007"
down_revision: str | None = "catalog_0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "search_documents",
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("words", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"]),
        sa.PrimaryKeyConstraint("product_id"),
    )
    op.create_table(
        "search_terms",
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("term", sa.String(length=40), nullable=False),
        sa.Column("pinyin", sa.String(length=240), nullable=False),
        sa.Column("initials", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"]),
        sa.PrimaryKeyConstraint("product_id", "term"),
    )
    op.create_index("ix_search_terms_term", "search_terms", ["term"])
    op.create_index("ix_search_terms_pinyin", "search_terms", ["pinyin"])
    op.create_index("ix_search_terms_initials", "search_terms", ["initials"])
    if op.get_bind().dialect.name == "postgresql":
        # pg_trgm ships with PostgreSQL; creating it needs a role allowed to (the owner of
        # the database on managed services, where it is on the allowed list).
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX ix_search_documents_words ON search_documents "
            "USING gin (to_tsvector('simple', words))"
        )
        op.execute(
            "CREATE INDEX ix_search_documents_trgm ON search_documents "
            "USING gin (text gin_trgm_ops)"
        )
    else:
        op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(product_id UNINDEXED, words)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TABLE search_fts")
    op.drop_table("search_terms")
    op.drop_table("search_documents")
