"""C2M operations: demand signals into their clusters, the clusters' figures, and proposals
to suppliers along their track, each step with its event."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from uuid import UUID

from sqlalchemy import case, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.db import insert_for
from chassis.events import outbox
from chassis.http.problems import InvalidInput, NotFound
from chassis.ids import new_id
from contracts.catalog import ProposalCreated, ProposalMoved, ProposalState, SearchMissed
from services.catalog.c2m import rules
from services.catalog.c2m.attributes import Vocabulary
from services.catalog.c2m.models import (
    DemandAsker,
    DemandCluster,
    DemandClusterDay,
    DemandSignal,
    Proposal,
    ProposalStep,
)
from services.catalog.c2m.rules import ProposalAction, SignalKind
from services.catalog.categories.models import Category
from services.catalog.products import service as products
from services.catalog.products.listing import IllegalTransition, ListingState
from services.catalog.products.models import AttributeValue, Product, Sku
from services.catalog.search import service as search
from services.catalog.search import text
from services.catalog.suppliers.models import Supplier

# What a storefront shows, and so what a customer may want or wish for.
VISIBLE = (ListingState.LISTED, ListingState.DELISTED)
NAMED = 50  # products a missed search's words name that its category is read from

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClusterFigures:
    """A cluster with the windows of its signals (its counts are on its row, the windows
    read from its days: `rules.Windows`)."""

    cluster: DemandCluster
    volume: int  # signals in the last 30 days
    last_week: int
    week_before: int
    trend: rules.Trend
    change: float | None  # last week over the week before


def _day(at: datetime) -> date:
    """The UTC day a signal made at `at` counts in."""
    return at.astimezone(UTC).date()


# The count of a cluster each kind of signal adds to.
COUNTED = {
    SignalKind.SEARCH_MISSED: DemandCluster.searches,
    SignalKind.WANT: DemandCluster.wants,
    SignalKind.WISHLIST: DemandCluster.wishlists,
}


# --- signals -------------------------------------------------------------------------------


async def _cluster_id(session: AsyncSession, key: rules.ClusterKey) -> UUID:
    """The cluster of `key`, created by the first signal of it (the key is unique: of signals
    arriving at once, one inserts and the others find it)."""
    await session.execute(
        insert_for(session, DemandCluster.__table__)
        .values(
            id=new_id(),
            key=key.digest,
            category_id=key.category_id,
            attributes=dict(key.attributes),
            keywords=list(key.keywords),
            label=key.label[:500],
            created_at=now(),
        )
        .on_conflict_do_nothing(index_elements=["key"])
    )
    found = await session.scalar(select(DemandCluster.id).where(DemandCluster.key == key.digest))
    assert found is not None
    return found


async def _counted(
    session: AsyncSession,
    cluster_id: UUID,
    kind: SignalKind,
    at: datetime,
    customer_id: UUID | None = None,
) -> None:
    """A new signal into its cluster's counts, in the signal's transaction: one `UPDATE ...
    SET n = n + 1` (the database adds, so signals at once each count; never read and write
    back), its asker counted once (the `demand_askers` key, not a lookup first), the latest
    signal's time kept (a late one leaves it), and its day's count one upsert `n + 1` (the
    first of a day inserts; of two at once, the other adds)."""
    new_asker = False
    if customer_id is not None:
        asked = await session.execute(
            insert_for(session, DemandAsker.__table__)
            .values(cluster_id=cluster_id, customer_id=customer_id)
            .on_conflict_do_nothing(index_elements=["cluster_id", "customer_id"])
        )
        new_asker = asked.rowcount == 1
    last = DemandCluster.last_asked_at
    counts = {
        COUNTED[kind]: COUNTED[kind] + 1,
        DemandCluster.signals: DemandCluster.signals + 1,
        last: case((or_(last.is_(None), last < at), at), else_=last),
    }
    if new_asker:
        counts[DemandCluster.askers] = DemandCluster.askers + 1
    await session.execute(
        update(DemandCluster)
        .where(DemandCluster.id == cluster_id)
        .values(counts)
        .execution_options(synchronize_session=False)
    )
    days = DemandClusterDay.__table__
    await session.execute(
        insert_for(session, days)
        .values(cluster_id=cluster_id, day=_day(at), signals=1)
        .on_conflict_do_update(
            index_elements=["cluster_id", "day"], set_={"signals": days.c.signals + 1}
        )
    )


async def vocabulary(session: AsyncSession) -> Vocabulary:
    """The attribute names and values the catalog knows: those its products declared and
    those customers asked for in wants (`attribute_values`, kept as they are written)."""
    known = await session.execute(select(AttributeValue.name, AttributeValue.value))
    return Vocabulary.of({name: value} for name, value in known)


async def _subtree(session: AsyncSession, within: UUID | None) -> str | None:
    if within is None:
        return None
    return await session.scalar(select(Category.path).where(Category.id == within))


async def _named_category(
    session: AsyncSession, words: tuple[str, ...], within: UUID | None
) -> UUID | None:
    """The category `words` name (in `within`'s subtree): the one the products they name
    are in, if most of them are in one; when they name no product, the category whose name
    they name (`rules.category_named`, with the operators' synonyms of each word)."""
    prefix = await _subtree(session, within)
    named = (await search.matching(session, list(words)))[:NAMED]
    if named:
        statement = select(Product.id, Product.category_id).where(Product.id.in_(named))
        if prefix is not None:
            statement = statement.join(Category, Category.id == Product.category_id).where(
                Category.path.startswith(prefix)
            )
        category_of = dict((await session.execute(statement)).all())
        return rules.likeliest_category([category_of[p] for p in named if p in category_of])
    alternatives = text.expand(list(words), await search.synonyms_of(session, list(words)))
    statement = select(Category.id, Category.path, Category.name).where(
        Category.archived_at.is_(None)
    )
    if prefix is not None:
        statement = statement.where(Category.path.startswith(prefix))
    candidates = [rules.NamedCategory(*row) for row in await session.execute(statement)]
    return rules.category_named(alternatives, candidates)


async def record_search_miss(session: AsyncSession, event: SearchMissed) -> None:
    """A storefront search that found nothing, within the consumer's transaction: the
    attributes read out of its words, and its category (where the products its other words
    name are, or the category those words name, else the one searched in) make its cluster;
    the attributes stay with it."""
    category_id = event.category_id
    if category_id is not None and await session.get(Category, category_id) is None:
        category_id = None
    read = (await vocabulary(session)).read(event.tokens)
    if read.words:
        category_id = await _named_category(session, read.words, category_id) or category_id
    key = rules.miss_cluster(category_id, read)
    if not key.keywords and not key.attributes:
        return  # nothing searched for: no demand to read
    cluster_id = await _cluster_id(session, key)
    session.add(
        DemandSignal(
            kind=SignalKind.SEARCH_MISSED,
            cluster_id=cluster_id,
            attributes=dict(key.attributes),
            query=event.query[:200],
            created_at=event.at,
        )
    )
    await _counted(session, cluster_id, SignalKind.SEARCH_MISSED, event.at)


async def _visible_product(session: AsyncSession, product_id: UUID) -> Product:
    product = await session.get(Product, product_id)
    if product is None or product.state not in VISIBLE:
        raise NotFound(f"No product {product_id}.")
    return product


async def _customer_signal(
    session: AsyncSession,
    kind: SignalKind,
    customer_id: UUID,
    product: Product,
    attributes: dict[str, str],
    sku_id: UUID | None = None,
) -> tuple[DemandSignal, bool]:
    """One signal per customer, product and kind (the unique index, not a lookup first):
    (the signal, whether this call made it)."""
    key = rules.cluster_of(product.category_id, attributes)
    cluster_id = await _cluster_id(session, key)
    at = now()
    inserted = await session.execute(
        insert_for(session, DemandSignal.__table__)
        .values(
            id=new_id(),
            kind=kind,
            cluster_id=cluster_id,
            customer_id=customer_id,
            product_id=product.id,
            sku_id=sku_id,
            attributes=dict(key.attributes),
            created_at=at,
        )
        .on_conflict_do_nothing(index_elements=["kind", "customer_id", "product_id"])
    )
    if inserted.rowcount == 1:  # a repeat counts nothing
        await _counted(session, cluster_id, kind, at, customer_id)
        if kind == SignalKind.WANT:
            await products.know_values(session, key.attributes)  # words searches may use
    await session.commit()
    signal = await session.scalar(
        select(DemandSignal).where(
            DemandSignal.kind == kind,
            DemandSignal.customer_id == customer_id,
            DemandSignal.product_id == product.id,
        )
    )
    assert signal is not None
    return signal, inserted.rowcount == 1


async def want(
    session: AsyncSession, customer_id: UUID, product_id: UUID, attributes: dict[str, str]
) -> tuple[DemandSignal, bool]:
    """A customer's "want" vote for a product, maybe in attributes it lacks (颜色: 绿): once
    per customer and product; a repeat returns the first."""
    product = await _visible_product(session, product_id)
    return await _customer_signal(session, SignalKind.WANT, customer_id, product, attributes)


async def wish(
    session: AsyncSession, customer_id: UUID, product_id: UUID, sku_id: UUID | None
) -> tuple[DemandSignal, bool]:
    """A product (or one of its SKUs) on a customer's wishlist, once; the SKU's attributes
    are what its demand asks for."""
    product = await _visible_product(session, product_id)
    attributes: dict[str, str] = {}
    if sku_id is not None:
        sku = await session.get(Sku, sku_id)
        if sku is None or sku.product_id != product_id:
            raise InvalidInput("body.sku_id", f"no SKU {sku_id} of product {product_id}")
        attributes = dict(sku.attributes)
    return await _customer_signal(
        session, SignalKind.WISHLIST, customer_id, product, attributes, sku_id
    )


async def unwish(session: AsyncSession, customer_id: UUID, product_id: UUID) -> None:
    """Off the wishlist, and out of its cluster's counts and its day's (of the same taken off
    twice at once, one deletes the signal and takes it out); a product not on it stays off.
    Each count comes down by one guarded `n - 1` (never below zero)."""
    removed = await session.execute(
        delete(DemandSignal)
        .where(
            DemandSignal.kind == SignalKind.WISHLIST,
            DemandSignal.customer_id == customer_id,
            DemandSignal.product_id == product_id,
        )
        .returning(DemandSignal.cluster_id, DemandSignal.created_at)
    )
    for cluster_id, created_at in removed.all():
        counted = await session.execute(
            update(DemandCluster)
            .where(DemandCluster.id == cluster_id, DemandCluster.wishlists > 0)
            .values(wishlists=DemandCluster.wishlists - 1, signals=DemandCluster.signals - 1)
            .execution_options(synchronize_session=False)
        )
        day = DemandClusterDay
        dated = await session.execute(
            update(day)
            .where(day.cluster_id == cluster_id, day.day == _day(created_at), day.signals > 0)
            .values(signals=day.signals - 1)
            .execution_options(synchronize_session=False)
        )
        if counted.rowcount != 1 or dated.rowcount != 1:  # counted when it came: never so
            log.warning("wishlist entry of cluster %s was not in its counts", cluster_id)
    await session.commit()


def wishlist_query(customer_id: UUID):
    return select(DemandSignal).where(
        DemandSignal.kind == SignalKind.WISHLIST, DemandSignal.customer_id == customer_id
    )


# --- clusters ------------------------------------------------------------------------------


async def clusters(
    session: AsyncSession, *, limit: int, category: UUID | None = None
) -> list[ClusterFigures]:
    """The clusters asked for in the volume's 30 days (in `category`'s subtree), the most
    signals first: their rows, with their counts kept as signals arrived, and their windows
    read from their days (one query for the page)."""
    since = datetime.combine(rules.Windows.of(_day(now())).volume, time(), UTC)
    statement = (
        select(DemandCluster)
        .where(DemandCluster.last_asked_at >= since, DemandCluster.signals > 0)
        .order_by(DemandCluster.signals.desc(), DemandCluster.id)
        .limit(limit)
    )
    if category is not None:
        prefix = await _subtree(session, category)
        if prefix is None:
            raise InvalidInput("query.category", f"no category {category}")
        statement = statement.where(
            DemandCluster.category_id.in_(
                select(Category.id).where(Category.path.startswith(prefix))
            )
        )
    return await _figures(session, list(await session.scalars(statement)))


async def cluster(session: AsyncSession, cluster_id: UUID) -> ClusterFigures:
    """One cluster with the windows of its signals, read from its days as the list reads
    them: its 30 days' volume, the last 7 days against the 7 before and their trend (all
    zero and quiet once its signals are older)."""
    found = await session.get(DemandCluster, cluster_id, populate_existing=True)
    if found is None:
        raise NotFound(f"No demand cluster {cluster_id}.")
    return (await _figures(session, [found]))[0]


async def _figures(session: AsyncSession, found: Sequence[DemandCluster]) -> list[ClusterFigures]:
    """The windows of `found` (`rules.Windows`), summed from their days in one query."""
    if not found:
        return []
    windows = rules.Windows.of(_day(now()))
    day, n = DemandClusterDay.day, DemandClusterDay.signals

    def within(condition):
        return func.coalesce(func.sum(case((condition, n), else_=0)), 0)

    rows = await session.execute(
        select(
            DemandClusterDay.cluster_id,
            func.coalesce(func.sum(n), 0),
            within(day >= windows.last_week),
            within((day >= windows.week_before) & (day < windows.last_week)),
        )
        .where(DemandClusterDay.cluster_id.in_([c.id for c in found]), day >= windows.volume)
        .group_by(DemandClusterDay.cluster_id)
    )
    counted = {cid: (int(v), int(w), int(b)) for cid, v, w, b in rows}
    figures = []
    for c in found:
        volume, last_week, week_before = counted.get(c.id, (0, 0, 0))
        reading, change = rules.trend(last_week, week_before)
        figures.append(ClusterFigures(c, volume, last_week, week_before, reading, change))
    return figures


async def wanted_products(session: AsyncSession, cluster_id: UUID) -> list[tuple[UUID, int]]:
    """The products customers wanted or wished for in a cluster, most asked first."""
    asked = func.count()
    rows = await session.execute(
        select(DemandSignal.product_id, asked)
        .where(DemandSignal.cluster_id == cluster_id, DemandSignal.product_id.is_not(None))
        .group_by(DemandSignal.product_id)
        .order_by(asked.desc(), DemandSignal.product_id)
        .limit(10)
    )
    return [(product_id, int(n)) for product_id, n in rows]


async def searched_queries(session: AsyncSession, cluster_id: UUID) -> list[tuple[str, int]]:
    """The searches of the volume's 30 days that found nothing in a cluster, most made
    first."""
    since = datetime.combine(rules.Windows.of(_day(now())).volume, time(), UTC)
    made = func.count()
    rows = await session.execute(
        select(DemandSignal.query, made)
        .where(
            DemandSignal.cluster_id == cluster_id,
            DemandSignal.kind == SignalKind.SEARCH_MISSED,
            DemandSignal.created_at >= since,
        )
        .group_by(DemandSignal.query)
        .order_by(made.desc(), DemandSignal.query)
        .limit(10)
    )
    return [(query, int(n)) for query, n in rows if query is not None]


# --- proposals -----------------------------------------------------------------------------


async def propose(
    session: AsyncSession,
    cluster_id: UUID,
    supplier_id: UUID,
    note: str | None,
    quantity: int | None,
    by: UUID,
) -> Proposal:
    """A cluster proposed to a supplier: `proposed`, with the cluster's figures now."""
    if await session.get(DemandCluster, cluster_id) is None:
        raise InvalidInput("body.cluster_id", f"no demand cluster {cluster_id}")
    if await session.get(Supplier, supplier_id) is None:
        raise InvalidInput("body.supplier_id", f"no supplier {supplier_id}")
    figures = await cluster(session, cluster_id)
    at = now()
    proposal = Proposal(
        id=new_id(),
        cluster_id=cluster_id,
        supplier_id=supplier_id,
        state=ProposalState.PROPOSED,
        note=note,
        quantity=quantity,
        volume=figures.volume,
        created_by=by,
        created_at=at,
        updated_at=at,
    )
    session.add(proposal)
    session.add(
        ProposalStep(
            proposal_id=proposal.id, to_state=ProposalState.PROPOSED, note=note, by=by, at=at
        )
    )
    await outbox.add(
        session,
        ProposalCreated(
            proposal_id=proposal.id,
            cluster_id=cluster_id,
            supplier_id=supplier_id,
            category_id=figures.cluster.category_id,
            attributes=figures.cluster.attributes,
            keywords=figures.cluster.keywords,
            volume=figures.volume,
            trend=figures.trend,
            note=note,
            by=by,
            at=at,
        ),
    )
    await session.commit()
    return proposal


async def get_proposal(session: AsyncSession, proposal_id: UUID) -> Proposal:
    found = await session.get(Proposal, proposal_id, populate_existing=True)
    if found is None:
        raise NotFound(f"No proposal {proposal_id}.")
    return found


async def steps(session: AsyncSession, proposal_id: UUID) -> list[ProposalStep]:
    return list(
        await session.scalars(
            select(ProposalStep)
            .where(ProposalStep.proposal_id == proposal_id)
            .order_by(ProposalStep.at, ProposalStep.id)
        )
    )


async def step(
    session: AsyncSession,
    proposal_id: UUID,
    action: ProposalAction,
    note: str | None,
    product_id: UUID | None,
    by: UUID,
) -> Proposal:
    """One step along the proposal's track (`rules.move`); the state change names the state
    it leaves, so of two operators taking a step at once one does and the other gets a 409."""
    proposal = await get_proposal(session, proposal_id)
    leaves = proposal.state
    reaches = rules.move(leaves, action)
    if action == ProposalAction.DECLINE and not note:
        raise InvalidInput("body.note", "a declined proposal needs the reason")
    if product_id is not None:
        if action != ProposalAction.LAUNCH:
            raise InvalidInput("body.product_id", "only a launch names the product")
        if await session.get(Product, product_id) is None:
            raise InvalidInput("body.product_id", f"no product {product_id}")
    at = now()
    values: dict = {"state": reaches, "updated_at": at}
    if product_id is not None:
        values["product_id"] = product_id
    moved = await session.execute(
        update(Proposal)
        .where(Proposal.id == proposal_id, Proposal.state == leaves)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        await session.rollback()
        current = (await get_proposal(session, proposal_id)).state
        raise IllegalTransition(f"The proposal is {current} now: it cannot {action}.")
    session.add(
        ProposalStep(
            proposal_id=proposal_id, from_state=leaves, to_state=reaches, note=note, by=by, at=at
        )
    )
    await outbox.add(
        session,
        ProposalMoved(
            proposal_id=proposal_id,
            supplier_id=proposal.supplier_id,
            from_state=leaves,
            to_state=reaches,
            note=note,
            product_id=product_id,
            by=by,
            at=at,
        ),
    )
    await session.commit()
    return await get_proposal(session, proposal_id)


def proposals_query(state: ProposalState | None, cluster_id: UUID | None):
    statement = select(Proposal)
    if state is not None:
        statement = statement.where(Proposal.state == state)
    if cluster_id is not None:
        statement = statement.where(Proposal.cluster_id == cluster_id)
    return statement
