"""The search index, behind one interface: SQLite FTS5 in development, PostgreSQL full text
over the same segmented words (with trigram similarity when no word matches) by default.

Both take words already segmented and normalized by `search.text`, so they rank the same
words; OpenSearch with a Chinese analyzer can take over behind this interface (docs/catalog.md).
"""

from typing import Protocol
from uuid import UUID

from sqlalchemy import delete, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.catalog.search.models import SearchDocument

CANDIDATES = 500  # matches ranked per query: relevance pages walk these


class SearchIndex(Protocol):
    async def put(self, session: AsyncSession, product_id: UUID, words: str, text_: str) -> None:
        """Index (or index again) a product."""

    async def remove(self, session: AsyncSession, product_id: UUID) -> None:
        """Take a product out of the index."""

    async def match(
        self, session: AsyncSession, terms: list[list[str]], normalized: str
    ) -> list[tuple[UUID, float]]:
        """Products having, of every query word, the word or one of its synonyms (`terms`:
        per word its alternatives, each one or more space-separated words, all needed;
        `text.expand`), best first, with a score (higher is better); when none has, the
        closest to `normalized` by a looser measure; at most CANDIDATES."""


async def _put_document(session: AsyncSession, product_id: UUID, words: str, text_: str) -> None:
    await session.execute(delete(SearchDocument).where(SearchDocument.product_id == product_id))
    await session.execute(
        insert(SearchDocument).values(product_id=product_id, words=words, text=text_)
    )


def _fts_all(words: str) -> str:
    return "(" + " AND ".join('"' + w.replace('"', '""') + '"' for w in words.split()) + ")"


class SqliteFts5Index:
    """FTS5 over the segmented words (its unicode61 tokenizer splits them at the spaces we
    put), bm25 for the rank; a substring of the normalized text when no word matches."""

    async def put(self, session, product_id, words, text_) -> None:
        await _put_document(session, product_id, words, text_)
        await session.execute(
            text("DELETE FROM search_fts WHERE product_id = :id"), {"id": product_id.hex}
        )
        await session.execute(
            text("INSERT INTO search_fts (product_id, words) VALUES (:id, :words)"),
            {"id": product_id.hex, "words": words},
        )

    async def remove(self, session, product_id) -> None:
        await session.execute(
            text("DELETE FROM search_fts WHERE product_id = :id"), {"id": product_id.hex}
        )
        await session.execute(delete(SearchDocument).where(SearchDocument.product_id == product_id))

    async def match(self, session, terms, normalized) -> list[tuple[UUID, float]]:
        if terms:
            # Each word a quoted string: FTS5 query syntax in the input means nothing.
            expression = " AND ".join(
                "(" + " OR ".join(_fts_all(alternative) for alternative in word) + ")"
                for word in terms
            )
            rows = await session.execute(
                text(
                    "SELECT product_id, bm25(search_fts) FROM search_fts "
                    "WHERE search_fts MATCH :q ORDER BY bm25(search_fts) LIMIT :n"
                ),
                {"q": expression, "n": CANDIDATES},
            )
            found = [(UUID(hex=pid), -rank) for pid, rank in rows]
            if found:
                return found
        if not normalized:
            return []
        rows = await session.execute(
            select(SearchDocument.product_id)
            .where(SearchDocument.text.contains(normalized, autoescape=True))
            .limit(CANDIDATES)
        )
        return [(pid, 0.0) for (pid,) in rows]


class PostgresIndex:
    """`to_tsvector('simple', words)` (no stemming: the words are segmented already; stored in
    the generated column `tsv`, so ranking a match does not parse its words again) matched
    with `plainto_tsquery` (every token), ranked by `ts_rank`; when nothing matches, pg_trgm's
    word similarity over the normalized text, which forgives typos (thermas → thermos)."""

    SIMILARITY = "0.4"

    async def put(self, session, product_id, words, text_) -> None:
        await _put_document(session, product_id, words, text_)

    async def remove(self, session, product_id) -> None:
        await session.execute(delete(SearchDocument).where(SearchDocument.product_id == product_id))

    async def match(self, session, terms, normalized) -> list[tuple[UUID, float]]:
        if terms:
            # Built of bound parameters, never of the input's text: (a | b) & (c) in tsquery.
            params: dict = {"n": CANDIDATES}
            words = []
            for i, word in enumerate(terms):
                alternatives = []
                for j, alternative in enumerate(word):
                    params[f"t{i}_{j}"] = alternative
                    alternatives.append(f"plainto_tsquery('simple', :t{i}_{j})")
                words.append("(" + " || ".join(alternatives) + ")")
            rows = await session.execute(
                text(
                    "SELECT product_id, ts_rank(tsv, query.q) AS rank FROM search_documents, "
                    f"(SELECT {' && '.join(words)} AS q) AS query "
                    "WHERE tsv @@ query.q ORDER BY rank DESC LIMIT :n"
                ),
                params,
            )
            found = [(pid, float(rank)) for pid, rank in rows]
            if found:
                return found
        if not normalized:
            return []
        await session.execute(
            text("SELECT set_config('pg_trgm.word_similarity_threshold', :t, true)"),
            {"t": self.SIMILARITY},
        )
        rows = await session.execute(
            text(
                "SELECT product_id, word_similarity(:q, text) AS rank FROM search_documents "
                "WHERE :q <% text ORDER BY rank DESC LIMIT :n"
            ),
            {"q": normalized, "n": CANDIDATES},
        )
        return [(pid, float(rank)) for pid, rank in rows]


def index_for(session: AsyncSession) -> SearchIndex:
    if session.bind.dialect.name == "postgresql":
        return PostgresIndex()
    return SqliteFts5Index()
