"""C2M operations: demand signals into their clusters, the clusters' figures, and proposals
to suppliers along their track, each step with its event."""

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.db import insert_for
from chassis.events import outbox
from chassis.http.problems import InvalidInput, NotFound
from chassis.ids import new_id
from contracts.catalog import ProposalCreated, ProposalMoved, ProposalState, SearchMissed
from services.catalog.c2m import rules
from services.catalog.c2m.models import DemandCluster, DemandSignal, Proposal, ProposalStep
from services.catalog.c2m.rules import ProposalAction, SignalKind
from services.catalog.categories.models import Category
from services.catalog.products.listing import IllegalTransition, ListingState
from services.catalog.products.models import Product, Sku
from services.catalog.suppliers.models import Supplier

# What a storefront shows, and so what a customer may want or wish for.
VISIBLE = (ListingState.LISTED, ListingState.DELISTED)


@dataclass(frozen=True)
class ClusterFigures:
    cluster: DemandCluster
    volume: int  # signals in the last 30 days
    searches: int
    wants: int
    wishlists: int
    last_week: int
    week_before: int
    trend: rules.Trend
    change: float | None  # last week over the week before


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


async def record_search_miss(session: AsyncSession, event: SearchMissed) -> None:
    """A storefront search that found nothing, within the consumer's transaction: its words
    (and the category searched in) make its cluster."""
    category_id = event.category_id
    if category_id is not None and await session.get(Category, category_id) is None:
        category_id = None
    key = rules.cluster_of(category_id, {}, event.tokens)
    if not key.keywords:
        return  # nothing searched for: no demand to read
    session.add(
        DemandSignal(
            kind=SignalKind.SEARCH_MISSED,
            cluster_id=await _cluster_id(session, key),
            query=event.query[:200],
            created_at=event.at,
        )
    )


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
    inserted = await session.execute(
        insert_for(session, DemandSignal.__table__)
        .values(
            id=new_id(),
            kind=kind,
            cluster_id=await _cluster_id(session, key),
            customer_id=customer_id,
            product_id=product.id,
            sku_id=sku_id,
            attributes=dict(key.attributes),
            created_at=now(),
        )
        .on_conflict_do_nothing(index_elements=["kind", "customer_id", "product_id"])
    )
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
    """Off the wishlist, and out of its cluster's volume; a product not on it stays off."""
    await session.execute(
        delete(DemandSignal).where(
            DemandSignal.kind == SignalKind.WISHLIST,
            DemandSignal.customer_id == customer_id,
            DemandSignal.product_id == product_id,
        )
    )
    await session.commit()


def wishlist_query(customer_id: UUID):
    return select(DemandSignal).where(
        DemandSignal.kind == SignalKind.WISHLIST, DemandSignal.customer_id == customer_id
    )


# --- clusters ------------------------------------------------------------------------------


async def clusters(
    session: AsyncSession,
    *,
    limit: int,
    category: UUID | None = None,
    cluster_id: UUID | None = None,
) -> list[ClusterFigures]:
    """The clusters with signals in the last 30 days (in `category`'s subtree), largest
    first, each with its volume by kind and its trend."""
    at = now()
    since = at - timedelta(days=rules.VOLUME_DAYS)
    week = at - timedelta(days=rules.TREND_DAYS)
    fortnight = at - timedelta(days=2 * rules.TREND_DAYS)

    def counted(condition):
        return func.sum(case((condition, 1), else_=0))

    volume = func.count()
    statement = (
        select(
            DemandSignal.cluster_id,
            volume,
            counted(DemandSignal.kind == SignalKind.SEARCH_MISSED),
            counted(DemandSignal.kind == SignalKind.WANT),
            counted(DemandSignal.kind == SignalKind.WISHLIST),
            counted(DemandSignal.created_at >= week),
            counted((DemandSignal.created_at >= fortnight) & (DemandSignal.created_at < week)),
        )
        .where(DemandSignal.created_at >= since)
        .group_by(DemandSignal.cluster_id)
        .order_by(volume.desc(), DemandSignal.cluster_id)
        .limit(limit)
    )
    if cluster_id is not None:
        statement = statement.where(DemandSignal.cluster_id == cluster_id)
    if category is not None:
        prefix = await session.scalar(select(Category.path).where(Category.id == category))
        if prefix is None:
            raise InvalidInput("query.category", f"no category {category}")
        statement = statement.where(
            DemandSignal.cluster_id.in_(
                select(DemandCluster.id).where(
                    DemandCluster.category_id.in_(
                        select(Category.id).where(Category.path.startswith(prefix))
                    )
                )
            )
        )
    rows = (await session.execute(statement)).all()
    found = {
        c.id: c
        for c in await session.scalars(
            select(DemandCluster).where(DemandCluster.id.in_([r[0] for r in rows]))
        )
    }
    figures = []
    for cid, total, searches, wants, wishlists, last_week, week_before in rows:
        reading, change = rules.trend(int(last_week), int(week_before))
        figures.append(
            ClusterFigures(
                cluster=found[cid],
                volume=int(total),
                searches=int(searches),
                wants=int(wants),
                wishlists=int(wishlists),
                last_week=int(last_week),
                week_before=int(week_before),
                trend=reading,
                change=change,
            )
        )
    return figures


async def cluster(session: AsyncSession, cluster_id: UUID) -> ClusterFigures:
    """One cluster's figures (all zero and quiet once its signals are older than 30 days)."""
    found = await clusters(session, limit=1, cluster_id=cluster_id)
    if found:
        return found[0]
    known = await session.get(DemandCluster, cluster_id)
    if known is None:
        raise NotFound(f"No demand cluster {cluster_id}.")
    return ClusterFigures(known, 0, 0, 0, 0, 0, 0, rules.Trend.QUIET, None)


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
