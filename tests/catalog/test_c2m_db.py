"""C2M against real databases: the clusters listed with their counts and, from their daily
rollup, the volume and trend windows the detail reads too, in a bounded number of statements
per page, a wishlist entry taken off its day once, on both backends; the counts and days filled
by the migrations; on PostgreSQL, a burst of signals counted (and dated) as a recount does,
concurrent wants of one customer make one signal and concurrent steps of one proposal make one
step."""

import asyncio
from datetime import timedelta

import products_db
import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import func, insert, select

from chassis import migrations
from chassis.clock import now
from chassis.db import Database, UtcDateTime
from chassis.events.tables import outbox
from chassis.http.problems import Conflict
from chassis.ids import new_id
from chassis.money import Price
from contracts.catalog import CategoryRole, ProposalState, SearchMissed
from services.catalog.app import SCHEMA
from services.catalog.c2m import service
from services.catalog.c2m.models import (
    DemandCluster,
    DemandClusterDay,
    DemandSignal,
    ProposalStep,
)
from services.catalog.c2m.rules import ProposalAction, SignalKind, Trend
from services.catalog.categories import service as categories
from services.catalog.categories.schemas import CategoryCreate
from services.catalog.products import service as products
from services.catalog.products.models import AttributeValue, Product
from services.catalog.products.schemas import ProductChange, ProductCreate, SkuIn
from services.catalog.suppliers import service as suppliers
from services.catalog.suppliers.schemas import SupplierIn

ON_POSTGRES = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
# demand_clusters as revisions before catalog_0024 have it (the model's has its counts).
EARLIER_CLUSTERS = sa.table(
    "demand_clusters",
    sa.column("id", sa.Uuid),
    sa.column("key", sa.String),
    sa.column("attributes", sa.JSON),
    sa.column("keywords", sa.JSON),
    sa.column("label", sa.String),
    sa.column("created_at", UtcDateTime),
)


def _earlier_cluster(**values):
    return insert(EARLIER_CLUSTERS).values(
        {"id": new_id(), "attributes": {}, "keywords": [], "created_at": now(), **values}
    )


async def _listed_product(db: Database, name: str = "保温杯", category_id=None, colors=()):
    body = ProductCreate(
        name=name,
        category_id=category_id,
        attributes={"颜色": list(colors)} if colors else {},
        skus=[
            SkuIn(
                code=f"T-{new_id().hex}",
                price=Price(amount=100, currency="CNY"),
                stock=1,
                attributes={"颜色": color} if color else {},
            )
            for color in colors or [None]
        ],
    )
    return (await products_db.create(db, body)).product_id


async def _missed(db: Database, words: list[str], days_ago: float = 0, category=None) -> None:
    event = SearchMissed(
        query=" ".join(words),
        normalized=" ".join(words),
        tokens=words,
        category_id=category,
        at=now() - timedelta(days=days_ago),
    )
    async with db.session() as session, session.begin():
        await service.record_search_miss(session, event)


def _figures(f: service.ClusterFigures) -> tuple:
    return (f.volume, f.last_week, f.week_before, f.trend, f.change)


async def test_clusters_asked_in_30_days_are_listed_with_their_trend_as_the_detail_reads_it(db):
    """Windows by the UTC day a signal was made (whole days ago: the same day at any hour):
    the last week is today and the 6 days before, the week before the 7 before those, the
    volume today and the 29 days before."""
    for days_ago in (1, 2, 6, 7, 13, 14, 29, 30, 40):  # 3 last week, 2 before; 30: too old
        await _missed(db, ["绿色", "保温杯"], days_ago)
    for days_ago in (9, 10, 13, 14, 20):  # none last week
        await _missed(db, ["折叠", "水壶"], days_ago)
    for days_ago in (0, 3, 8, 12):  # as many each week
        await _missed(db, ["儿童", "雨衣"], days_ago)
    await _missed(db, ["旧货"], 30)  # nothing in the last 30 days: not listed
    async with db.session() as session:
        found = await service.clusters(session, limit=10)
        details = [await service.cluster(session, f.cluster.id) for f in found]
    assert [f.cluster.keywords for f in found] == [
        ["保温杯", "绿色"],
        ["折叠", "水壶"],
        ["儿童", "雨衣"],
    ]
    cups = found[0].cluster
    assert (cups.signals, cups.searches, cups.wants, cups.askers) == (9, 9, 0, 0)
    assert abs(cups.last_asked_at - (now() - timedelta(days=1))) < timedelta(minutes=1)
    assert [_figures(f) for f in found] == [
        (7, 3, 2, Trend.RISING, 1.5),
        (5, 0, 3, Trend.FALLING, 0.0),
        (4, 2, 2, Trend.STEADY, 1.0),
    ]
    assert [_figures(d) for d in details] == [_figures(f) for f in found]  # one reading
    async with db.session() as session:
        assert len(await service.clusters(session, limit=1)) == 1
        clusters = await session.scalar(select(func.count()).select_from(DemandCluster))
    assert clusters == 4  # the old search's cluster stays, out of the list


async def _listed_counting(db: Database, **query) -> tuple[list[service.ClusterFigures], int]:
    """The clusters listed, and the statements the listing sent (SQLAlchemy's
    `before_cursor_execute`)."""
    sent: list[str] = []

    def count(conn, cursor, statement, *rest):
        sent.append(statement)

    sa.event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        async with db.session() as session:
            found = await service.clusters(session, **query)
    finally:
        sa.event.remove(db.engine.sync_engine, "before_cursor_execute", count)
    return found, len(sent)


async def test_a_page_of_clusters_reads_its_trends_in_one_query(db):
    """The list sends as many statements for 20 clusters as for 2: the subtree's path, the
    clusters' rows, then the windows of the whole page from their days."""
    home = await _category(db)
    product = await _listed_product(db, "雨伞", home)
    for i in range(22):
        async with db.session() as session:
            for _ in range(i % 3 + 1):
                await service.want(session, new_id(), product, {"尺寸": f"{i}号"})
    few, few_sent = await _listed_counting(db, limit=2, category=home)
    page, page_sent = await _listed_counting(db, limit=20, category=home)
    assert (len(few), len(page)) == (2, 20)
    assert page_sent == few_sent == 3
    assert [f.cluster.wants for f in page] == sorted((f.cluster.wants for f in page), reverse=True)
    for f in page:  # each its own, read from the page's one query
        assert (f.volume, f.last_week, f.week_before) == (f.cluster.wants, f.cluster.wants, 0)
        assert (f.trend, f.change) == (Trend.NEW, None)


async def _days(db: Database, cluster_id) -> dict:
    async with db.session() as session:
        rows = await session.execute(
            select(DemandClusterDay.day, DemandClusterDay.signals).where(
                DemandClusterDay.cluster_id == cluster_id
            )
        )
        return dict(rows.all())


async def test_a_wishlist_entry_taken_off_lowers_its_days_count_once(db, caplog):
    """Off the wishlist: the day it was put on counts one less, once however often it is
    taken off; a day already at zero (counts gone astray) stays at zero."""
    product = await _listed_product(db, "雨伞")
    alice, bob, carol = new_id(), new_id(), new_id()
    async with db.session() as session:
        for customer in (alice, bob, carol):
            signal, _ = await service.wish(session, customer, product, None)
    today, earlier = now().date(), (now() - timedelta(days=3)).date()
    async with db.session() as session, session.begin():  # bob's was put on 3 days ago
        await session.execute(
            sa.update(DemandSignal)
            .where(DemandSignal.customer_id == bob)
            .values(created_at=now() - timedelta(days=3))
        )
        await session.execute(sa.update(DemandClusterDay).values(signals=2))
        session.add(DemandClusterDay(cluster_id=signal.cluster_id, day=earlier, signals=1))
    assert await _days(db, signal.cluster_id) == {today: 2, earlier: 1}

    async with db.session() as session:
        for customer in (alice, alice, bob, bob):
            await service.unwish(session, customer, product)
    assert await _days(db, signal.cluster_id) == {today: 1, earlier: 0}
    async with db.session() as session:
        figures = await service.cluster(session, signal.cluster_id)
    assert (figures.volume, figures.last_week, figures.cluster.wishlists) == (1, 1, 1)

    async with db.session() as session, session.begin():
        await session.execute(sa.update(DemandClusterDay).values(signals=0))
    async with db.session() as session:
        await service.unwish(session, carol, product)
    assert await _days(db, signal.cluster_id) == {today: 0, earlier: 0}
    assert "was not in its counts" in caplog.text


async def _category(db: Database, parent=None):
    body = CategoryCreate(name=f"类 {new_id().hex}", parent_id=parent, role=CategoryRole.CORE)
    async with db.session() as session:
        return (await categories.create(session, body, new_id())).id


async def test_a_missed_search_keeps_its_attributes_and_the_category_its_words_name(db):
    home = await _category(db)
    cups, kettles = await _category(db, home), await _category(db, home)
    await _listed_product(db, "真空保温杯", cups, colors=["红", "蓝"])
    await _listed_product(db, "电水壶", kettles, colors=["白"])
    await _listed_product(db, "电水壶 保温", kettles, colors=["黑"])
    await _missed(db, ["绿色", "保温杯"])  # 绿: no value the catalog knows yet
    mug = await _listed_product(db, "杯子", cups)
    async with db.session() as session:
        wanted, _ = await service.want(session, new_id(), mug, {"颜色": "绿"})
    await _missed(db, ["绿色", "保温杯"])  # customers have asked for 绿 since
    await _missed(db, ["蓝色", "的", "电水壶"], category=home)
    await _missed(db, ["白色", "保温"])  # a cup and a kettle: no one category
    async with db.session() as session:
        misses = list(
            await session.scalars(
                select(DemandSignal)
                .where(DemandSignal.kind == SignalKind.SEARCH_MISSED)
                .order_by(DemandSignal.created_at)
            )
        )
        keys = [(await session.get(DemandCluster, m.cluster_id)) for m in misses]
    assert [m.attributes for m in misses] == [{}, {"颜色": "绿"}, {"颜色": "蓝"}, {"颜色": "白"}]
    assert [(k.category_id, k.keywords) for k in keys] == [
        (None, ["保温杯", "绿色"]),
        (cups, []),
        (kettles, []),  # in the subtree searched, the kettles' category
        (None, ["保温"]),
    ]
    assert misses[1].cluster_id == wanted.cluster_id  # with the wants of the same thing


async def test_the_vocabulary_holds_what_products_declared_and_wants_asked(db):
    await _listed_product(db, "杯", colors=["红", "蓝"])
    async with db.session() as session:
        product = await products.create(
            session,
            ProductCreate(name="壶", attributes={"容量": ["1L"]}, price=None, skus=[]),
            new_id(),
            min_margin_bps=1000,
        )  # a draft's values are words too
        await service.want(session, new_id(), await _listed_product(db), {"颜色": "綠"})
        await products.change(session, product.id, ProductChange(attributes={"容量": ["2L"]}))
        known = await service.vocabulary(session)
        rows = (await session.execute(select(AttributeValue.name, AttributeValue.value))).all()
    assert sorted(rows) == [
        ("容量", "1L"),
        ("容量", "2L"),
        ("颜色", "红"),
        ("颜色", "绿"),
        ("颜色", "蓝"),
    ]
    assert known.read(["绿色", "2l", "壶"]).attributes == {"颜色": "绿", "容量": "2l"}


async def test_the_revisions_fill_the_vocabulary_and_the_counts_from_what_there_was(
    database_url,
):
    """catalog_0023 fills the vocabulary from the products and clusters there were,
    catalog_0024 the clusters' counts from their signals and catalog_0025 their days' (one
    database, migrated in steps)."""
    database = Database(database_url("catalog"), service="catalog")
    await database.create_database_if_missing()
    empty, cups, alice, bob = new_id(), new_id(), new_id(), new_id()
    latest = now() - timedelta(days=2)

    def upgrade(revision: str):
        return lambda sync: command.upgrade(SCHEMA.config(sync), revision)

    async with database.engine.begin() as conn:
        await conn.run_sync(upgrade("catalog_0022"))
        product = (
            await conn.execute(
                insert(Product.__table__)
                .values(name="杯", attributes={"颜色": ["红", "蓝"]}, created_by=new_id())
                .returning(Product.__table__.c.id)
            )
        ).scalar_one()
        await conn.execute(
            _earlier_cluster(id=empty, key="k", attributes={"颜色": "绿"}, label="颜色=绿")
        )
        await conn.run_sync(upgrade("catalog_0023"))
        await conn.execute(_earlier_cluster(id=cups, key=cups.hex, label="杯"))
        signals = [
            (SignalKind.SEARCH_MISSED, None, None, latest - timedelta(days=3)),
            (SignalKind.SEARCH_MISSED, None, None, latest),
            (SignalKind.WANT, alice, product, latest - timedelta(days=1)),
            (SignalKind.WISHLIST, alice, product, latest - timedelta(days=1)),
            (SignalKind.WISHLIST, bob, product, latest - timedelta(days=5)),
        ]
        await conn.execute(
            insert(DemandSignal.__table__),
            [
                {
                    "id": new_id(),
                    "kind": kind,
                    "cluster_id": cups,
                    "customer_id": customer,
                    "product_id": pid,
                    "attributes": {},
                    "created_at": at,
                }
                for kind, customer, pid, at in signals
            ],
        )
    await migrations.upgrade(database, SCHEMA)
    async with database.session() as session:
        rows = (await session.execute(select(AttributeValue.name, AttributeValue.value))).all()
        filled = await session.get(DemandCluster, cups)
        nothing = await session.get(DemandCluster, empty)
        figures = await service.cluster(session, cups)
    days = await _days(database, cups)
    await database.dispose()
    assert sorted(rows) == [("颜色", "红"), ("颜色", "绿"), ("颜色", "蓝")]
    assert (filled.signals, filled.searches, filled.wants, filled.wishlists) == (5, 2, 1, 2)
    assert (filled.askers, filled.last_asked_at) == (2, latest)
    assert (nothing.signals, nothing.askers, nothing.last_asked_at) == (0, 0, None)
    # catalog_0025: the signals of each UTC day (2, 3, 3, 5 and 7 days ago).
    assert days == {
        (latest - timedelta(days=d)).date(): n for d, n in ((0, 1), (1, 2), (3, 1), (5, 1))
    }
    assert (figures.volume, figures.last_week, figures.week_before) == (5, 4, 1)
    assert (figures.trend, figures.change) == (Trend.RISING, 4.0)


@ON_POSTGRES
async def test_a_burst_of_signals_counts_each_once_as_a_recount_does(db):
    """Searches, wants and wishlist entries of one cluster at once, on PostgreSQL: the counts
    on its row are those a recount of its signals makes (each `+ 1` by the database; read and
    written back, concurrent ones would be lost), and repeats count nothing."""
    products = [await _listed_product(db) for _ in range(2)]
    customers = [new_id() for _ in range(8)]

    async def want(customer, product):
        async with db.session() as session:
            await service.want(session, customer, product, {"颜色": "绿"})

    async def wish(customer, product):
        async with db.session() as session:
            await service.wish(session, customer, product, None)

    burst = [want(c, p) for c in customers for p in products]  # 16 wants, 8 askers
    burst += [want(customers[0], products[0]) for _ in range(4)]  # repeats: nothing
    burst += [wish(c, products[0]) for c in customers[:5]]  # 5 wishes, no cluster of theirs
    burst += [_missed(db, ["折叠", "水壶"]) for _ in range(10)]
    await asyncio.gather(*burst)
    async with db.session() as session:
        found = await service.clusters(session, limit=10)
        listed = {f.cluster.id: f.cluster for f in found}
        kinds = func.count(DemandSignal.id)
        recount = {
            (cid, kind): n
            for cid, kind, n in await session.execute(
                select(DemandSignal.cluster_id, DemandSignal.kind, kinds).group_by(
                    DemandSignal.cluster_id, DemandSignal.kind
                )
            )
        }
        askers = dict(
            (
                await session.execute(
                    select(
                        DemandSignal.cluster_id, func.count(DemandSignal.customer_id.distinct())
                    ).group_by(DemandSignal.cluster_id)
                )
            ).all()
        )
        latest = dict(
            (
                await session.execute(
                    select(DemandSignal.cluster_id, func.max(DemandSignal.created_at)).group_by(
                        DemandSignal.cluster_id
                    )
                )
            ).all()
        )
        days = dict(
            (
                await session.execute(
                    select(DemandClusterDay.cluster_id, func.sum(DemandClusterDay.signals))
                    .where(DemandClusterDay.day == now().date())
                    .group_by(DemandClusterDay.cluster_id)
                )
            ).all()
        )
    assert len(listed) == 3  # the wants' 颜色=绿, the wishes' product as it is, the searches
    assert {cid: c.signals for cid, c in listed.items()} == days  # today's, each added once
    assert all(f.volume == f.last_week == f.cluster.signals for f in found)
    for cid, c in listed.items():
        counted = {k: recount.get((cid, k), 0) for k in SignalKind}
        assert (c.searches, c.wants, c.wishlists) == (
            counted[SignalKind.SEARCH_MISSED],
            counted[SignalKind.WANT],
            counted[SignalKind.WISHLIST],
        )
        assert (c.signals, c.askers, c.last_asked_at) == (
            sum(counted.values()),
            askers[cid],
            latest[cid],
        )
    assert sorted((c.wants, c.searches, c.wishlists, c.askers) for c in listed.values()) == [
        (0, 0, 5, 5),
        (0, 10, 0, 0),
        (16, 0, 0, 8),
    ]


@ON_POSTGRES
async def test_concurrent_wants_of_one_customer_make_one_signal(db):
    product_id = await _listed_product(db)
    customer = new_id()

    async def want(color: str):
        async with db.session() as session:
            return await service.want(session, customer, product_id, {"颜色": color})

    answers = await asyncio.gather(*(want(c) for c in ["绿"] * 10 + ["黑"] * 10))
    assert sum(created for _, created in answers) == 1
    assert len({signal.id for signal, _ in answers}) == 1
    async with db.session() as session:
        signals = await session.scalar(select(func.count()).select_from(DemandSignal))
    assert signals == 1
    # Twenty customers at once, the first signals of one cluster: one cluster.
    others = [new_id() for _ in range(20)]

    async def first_want(customer_id):
        async with db.session() as session:
            return await service.want(session, customer_id, product_id, {"容量": "2L"})

    made = await asyncio.gather(*(first_want(c) for c in others))
    assert len({signal.cluster_id for signal, _ in made}) == 1


@ON_POSTGRES
async def test_concurrent_steps_of_one_proposal_take_it_once(db):
    product_id = await _listed_product(db)
    async with db.session() as session:
        signal, _ = await service.want(session, new_id(), product_id, {})
    async with db.session() as session:
        supplier = await suppliers.create_supplier(
            session, SupplierIn(name="杯厂", lead_time_days=10), new_id()
        )
    async with db.session() as session:
        proposal = await service.propose(
            session, signal.cluster_id, supplier.id, None, None, new_id()
        )

    async def take(action: ProposalAction):
        async with db.session() as session:
            try:
                return await service.step(session, proposal.id, action, "why", None, new_id())
            except Conflict:
                return None

    async def race(actions: list[ProposalAction]) -> int:
        answers = await asyncio.gather(*(take(action) for action in actions))
        return sum(answer is not None for answer in answers)

    # Twenty accepts at once: one. Then, on the accepted proposal, ten declines and ten
    # samples at once: one of them (an accept then a decline is a legal history, so the two
    # races are run one after the other).
    accepted = await race([ProposalAction.ACCEPT] * 20)
    moved_on = await race([ProposalAction.DECLINE, ProposalAction.SAMPLE] * 10)
    async with db.session() as session:
        steps = await session.scalar(
            select(func.count())
            .select_from(ProposalStep)
            .where(ProposalStep.proposal_id == proposal.id)
        )
        events = await session.scalar(
            select(func.count())
            .select_from(outbox)
            .where(outbox.c.type == "flywheel.catalog.proposal.moved.v1")
        )
        final = (await service.get_proposal(session, proposal.id)).state
    assert (accepted, moved_on) == (1, 1)
    assert (steps, events) == (3, 2)  # proposed, then one step per race
    assert final in (ProposalState.SAMPLED, ProposalState.DECLINED)
