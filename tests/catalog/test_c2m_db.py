"""C2M against real databases: the volume and trend windows of clusters on both backends; on
PostgreSQL, concurrent wants of one customer make one signal and concurrent steps of one
proposal make one step."""

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from chassis import migrations
from chassis.clock import now
from chassis.db import Database
from chassis.events.tables import outbox
from chassis.http.problems import Conflict
from chassis.ids import new_id
from chassis.money import Price
from contracts.catalog import ProposalState, SearchMissed
from services.catalog.app import SCHEMA
from services.catalog.c2m import service
from services.catalog.c2m.models import DemandCluster, DemandSignal, ProposalStep
from services.catalog.c2m.rules import ProposalAction, Trend
from services.catalog.products import service as products
from services.catalog.products.listing import ListingAction
from services.catalog.products.schemas import ProductCreate, SkuIn
from services.catalog.suppliers import service as suppliers
from services.catalog.suppliers.schemas import SupplierIn

ON_POSTGRES = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)


@pytest.fixture
async def db(database_url):
    database = Database(database_url("catalog"), service="catalog")
    await database.create_database_if_missing()
    await migrations.upgrade(database, SCHEMA)
    yield database
    await database.dispose()


async def _listed_product(db: Database):
    body = ProductCreate(
        name="保温杯",
        skus=[SkuIn(code=f"T-{new_id().hex}", price=Price(amount=100, currency="CNY"), stock=1)],
    )
    submitter = new_id()
    async with db.session() as session:
        product = await products.create(session, body, submitter, min_margin_bps=1000)
        await products.review(session, product.id, ListingAction.SUBMIT, submitter)
        await products.review(session, product.id, ListingAction.APPROVE, new_id())
        return product.id


async def _missed(db: Database, words: list[str], days_ago: float) -> None:
    event = SearchMissed(
        query=" ".join(words),
        normalized=" ".join(words),
        tokens=words,
        at=now() - timedelta(days=days_ago),
    )
    async with db.session() as session, session.begin():
        await service.record_search_miss(session, event)


async def test_volume_counts_30_days_and_the_trend_compares_the_last_two_weeks(db):
    for days_ago in (1, 2, 6.9, 8, 20, 29, 40):  # 3 last week, 1 before, 40 days: too old
        await _missed(db, ["绿色", "保温杯"], days_ago)
    for days_ago in (9, 10, 13):  # none last week
        await _missed(db, ["折叠", "水壶"], days_ago)
    await _missed(db, ["旧货"], 31)  # nothing in the last 30 days: not listed
    async with db.session() as session:
        found = await service.clusters(session, limit=10)
    assert [f.cluster.keywords for f in found] == [["保温杯", "绿色"], ["折叠", "水壶"]]
    cups, kettles = found
    assert (cups.volume, cups.searches, cups.last_week, cups.week_before) == (6, 6, 3, 1)
    assert (cups.trend, cups.change) == (Trend.RISING, 3.0)
    assert (kettles.volume, kettles.last_week, kettles.week_before) == (3, 0, 3)
    assert (kettles.trend, kettles.change) == (Trend.FALLING, 0.0)
    async with db.session() as session:
        assert len(await service.clusters(session, limit=1)) == 1
        clusters = await session.scalar(select(func.count()).select_from(DemandCluster))
    assert clusters == 3  # the old search's cluster stays, out of the figures


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
