"""Tables of search: what each listed product is found by, the terms it suggests, and the
synonyms operators manage.

On SQLite the words also go into the FTS5 table `search_fts`, and on PostgreSQL their
tsvector is a generated column `tsv` (`to_tsvector('simple', words)`, GIN-indexed) and `text`
has a GIN index with `gin_trgm_ops`; those exist in the migrations only, as none is portable."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import ForeignKey, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from chassis.clock import now
from chassis.db import UtcDateTime
from chassis.ids import new_id
from services.catalog.models import Base


class SearchDocument(Base):
    __tablename__ = "search_documents"

    product_id: Mapped[UUID] = mapped_column(ForeignKey("products.id"), primary_key=True)
    words: Mapped[str] = mapped_column(Text)  # segmented, normalized, space-separated
    text: Mapped[str] = mapped_column(Text)  # normalized name, brand, keywords: for typos


class SearchTerm(Base):
    """A suggestion a listed product offers: the term, its pinyin and initials."""

    __tablename__ = "search_terms"
    __table_args__ = (
        Index("ix_search_terms_term", "term"),
        Index("ix_search_terms_pinyin", "pinyin"),
        Index("ix_search_terms_initials", "initials"),
    )

    product_id: Mapped[UUID] = mapped_column(ForeignKey("products.id"), primary_key=True)
    term: Mapped[str] = mapped_column(String(40), primary_key=True)
    pinyin: Mapped[str] = mapped_column(String(240))
    initials: Mapped[str] = mapped_column(String(40))


class SynonymGroup(Base):
    """Terms a query may use for one another (手机 = 移动电话), applied at query time."""

    __tablename__ = "synonym_groups"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    created_by: Mapped[UUID] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)


class SynonymTerm(Base):
    """A term of a group, normalized; the key: a term belongs to one group at most."""

    __tablename__ = "synonym_terms"
    __table_args__ = (Index("ix_synonym_terms_group", "group_id"),)

    term: Mapped[str] = mapped_column(String(40), primary_key=True)
    group_id: Mapped[UUID] = mapped_column(ForeignKey("synonym_groups.id", ondelete="CASCADE"))
