"""Search and browse operations: keeping listed products in the index, the storefront's
list with its filters and sorts, suggestions, and the record of searches that found nothing."""

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import Select, delete, exists, func, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.events import outbox
from chassis.http.problems import Conflict, InvalidInput, NotFound
from chassis.ids import new_id
from chassis.pagination import PageRequest, decode_cursor, encode_cursor, fetch_page
from contracts.catalog import SearchMissed
from services.catalog.categories.models import Category
from services.catalog.insights import service as insights
from services.catalog.inventory.models import StockLevel
from services.catalog.products.listing import ListingState
from services.catalog.products.models import Product, Sku
from services.catalog.search import text
from services.catalog.search.index import index_for
from services.catalog.search.models import SearchTerm, SynonymGroup, SynonymTerm
from services.catalog.search.schemas import BrowseQuery, Sort

MAX_SUGGESTIONS = 10


async def index_product(session: AsyncSession, product: Product) -> None:
    """Put a product in the index if it is listed, take it out otherwise (in the caller's
    transaction)."""
    index = index_for(session)
    await session.execute(delete(SearchTerm).where(SearchTerm.product_id == product.id))
    if product.state != ListingState.LISTED:
        await index.remove(session, product.id)
        return
    words = text.document_tokens(
        product.name,
        product.brand or "",
        *product.keywords,
        *product.scenario_tags,
        *(value for sku in product.skus for value in sku.attributes.values()),
    )
    plain = text.normalize(" ".join([product.name, product.brand or "", *product.keywords]))
    await index.put(session, product.id, " ".join(words), plain)
    terms = text.suggestion_terms(product.name, product.keywords)
    if terms:
        await session.execute(
            insert(SearchTerm),
            [
                {"product_id": product.id, "term": t, "pinyin": p, "initials": i}
                for t in terms
                for p, i in [text.pinyin(t)]
            ],
        )


@dataclass(frozen=True)
class Found:
    products: list[Product]
    next_cursor: str | None


async def browse(session: AsyncSession, query: BrowseQuery, page: PageRequest) -> Found:
    """Listed products matching the query's filters, in its order, one page. A text query
    that finds nothing at all is published as a demand signal (`search.missed`)."""
    statement = select(Product).where(Product.state == ListingState.LISTED)
    if query.category is not None:
        prefix = await session.scalar(select(Category.path).where(Category.id == query.category))
        if prefix is None:
            raise InvalidInput("query.category", f"no category {query.category}")
        statement = statement.where(
            Product.category_id.in_(select(Category.id).where(Category.path.startswith(prefix)))
        )
    if query.brand is not None:
        statement = statement.where(func.lower(Product.brand) == query.brand.lower())
    if query.min_price is not None:
        statement = statement.where(Product.price_amount >= query.min_price)
    if query.max_price is not None:
        statement = statement.where(Product.price_amount <= query.max_price)
    if query.in_stock:
        statement = statement.where(_has_stock())
    if query.featured:
        statement = statement.where(Product.id.in_(insights.featured_products()))
    scores: dict[UUID, float] = {}
    if query.q:
        normalized = text.normalize(query.q)
        tokens = text.query_tokens(query.q)
        terms = text.expand(tokens, await synonyms_of(session, tokens))
        ranked = await index_for(session).match(session, terms, normalized)
        if not ranked:
            await outbox.add(
                session,
                SearchMissed(
                    query=query.q,
                    normalized=normalized,
                    tokens=tokens,
                    category_id=query.category,
                    at=now(),
                ),
            )
            await session.commit()
            return Found([], None)
        scores = dict(ranked)
        statement = statement.where(Product.id.in_(list(scores)))
    sort = query.sort or (Sort.RELEVANCE if query.q else Sort.NEWEST)
    if sort == Sort.RELEVANCE and scores:
        return await _by_relevance(session, statement, scores, page)
    key = {
        Sort.RELEVANCE: [Product.listed_at, Product.id],
        Sort.NEWEST: [Product.listed_at, Product.id],
        Sort.PRICE_DESC: [Product.price_amount, Product.id],
        Sort.PRICE_ASC: [Product.price_amount, Product.id],
        Sort.SALES: [Product.units_sold, Product.id],
    }[sort]
    rows, cursor = await fetch_page(
        session, statement, key=key, page=page, descending=sort != Sort.PRICE_ASC
    )
    return Found(rows, cursor)


async def _by_relevance(
    session: AsyncSession, statement: Select, scores: dict[UUID, float], page: PageRequest
) -> Found:
    """Relevance is the index's score for this query, not a column: of the (at most
    CANDIDATES) matches, the ids that pass the filters are ordered here, only the page's
    products are loaded, and the cursor holds the last one's (score, id)."""
    passing = await session.scalars(statement.with_only_columns(Product.id))
    matches = sorted(((scores[pid], pid) for pid in passing), reverse=True)
    if page.cursor is not None:
        last = decode_cursor(page.cursor, [float, UUID])
        matches = [m for m in matches if m < last]
    chunk = matches[: page.limit]
    more = len(matches) > page.limit
    cursor = encode_cursor([chunk[-1][0], chunk[-1][1]]) if more else None
    ids = [pid for _, pid in chunk]
    loaded = {p.id: p for p in await session.scalars(select(Product).where(Product.id.in_(ids)))}
    return Found([loaded[pid] for _, pid in chunk], cursor)


async def matching(session: AsyncSession, tokens: list[str]) -> list[UUID]:
    """Listed products having every one of `tokens` (or a synonym of it), best first: what
    the words of a query name, without browse's filters."""
    if not tokens:
        return []
    terms = text.expand(tokens, await synonyms_of(session, tokens))
    ranked = await index_for(session).match(session, terms, " ".join(tokens))
    return [product_id for product_id, _ in ranked]


def _has_stock():
    return exists().where(
        Sku.product_id == Product.id,
        Sku.listed.is_(True),
        StockLevel.sku_id == Sku.id,
        StockLevel.on_hand - StockLevel.reserved - StockLevel.held > 0,
    )


async def suggest(session: AsyncSession, q: str) -> list[str]:
    """Terms of listed products starting with `q`, in characters, pinyin or initials
    (保温杯 for 保温, baowenbei, bwb), the most offered first."""
    prefix = text.normalize(q).replace(" ", "")
    if not prefix:
        return []
    rows = await session.execute(
        select(SearchTerm.term, func.count().label("offered"))
        .where(
            or_(
                SearchTerm.term.startswith(prefix, autoescape=True),
                SearchTerm.pinyin.startswith(prefix, autoescape=True),
                SearchTerm.initials.startswith(prefix, autoescape=True),
            )
        )
        .group_by(SearchTerm.term)
        .order_by(func.count().desc(), SearchTerm.term)
        .limit(MAX_SUGGESTIONS)
    )
    return [term for term, _ in rows]


# --- synonyms ----------------------------------------------------------------------------------


async def synonyms_of(session: AsyncSession, tokens: list[str]) -> dict[str, list[str]]:
    """For each of `tokens` in a synonym group, the group's other terms (one query)."""
    if not tokens:
        return {}
    other = SynonymTerm.__table__.alias("other")
    rows = await session.execute(
        select(SynonymTerm.term, other.c.term)
        .join(other, other.c.group_id == SynonymTerm.group_id)
        .where(SynonymTerm.term.in_(tokens), other.c.term != SynonymTerm.term)
        .order_by(SynonymTerm.term, other.c.term)
    )
    found: dict[str, list[str]] = {}
    for token, synonym in rows:
        found.setdefault(token, []).append(synonym)
    return found


async def add_synonyms(session: AsyncSession, terms: list[str], by: UUID) -> tuple:
    """A group of terms a query may use for one another; a term of another group already is
    a 409 naming it (the term is the key: the constraint decides, not a lookup first)."""
    normalized = list(dict.fromkeys(text.synonym_term(t) for t in terms))
    if len(normalized) < 2:
        raise InvalidInput("body.terms", "give at least two different terms")
    group = SynonymGroup(id=new_id(), created_by=by, created_at=now())
    session.add(group)
    session.add_all(SynonymTerm(term=t, group_id=group.id) for t in normalized)
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        taken = list(
            await session.scalars(select(SynonymTerm.term).where(SynonymTerm.term.in_(normalized)))
        )
        raise Conflict(f"Already in another synonym group: {', '.join(taken)}.") from None
    return group, normalized


def synonym_groups():
    return select(SynonymGroup)


async def terms_of(session: AsyncSession, group_ids: list[UUID]) -> dict[UUID, list[str]]:
    rows = await session.execute(
        select(SynonymTerm.group_id, SynonymTerm.term)
        .where(SynonymTerm.group_id.in_(group_ids))
        .order_by(SynonymTerm.term)
    )
    found: dict[UUID, list[str]] = {group_id: [] for group_id in group_ids}
    for group_id, term in rows:
        found[group_id].append(term)
    return found


async def remove_synonyms(session: AsyncSession, group_id: UUID) -> None:
    await session.execute(delete(SynonymTerm).where(SynonymTerm.group_id == group_id))
    done = await session.execute(delete(SynonymGroup).where(SynonymGroup.id == group_id))
    if done.rowcount != 1:
        await session.rollback()
        raise NotFound(f"No synonym group {group_id}.")
    await session.commit()
