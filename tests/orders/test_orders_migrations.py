"""The orders revisions build exactly the tables the models declare, on both backends, the
catalog read model's revision carries the products known before it over, and the flash
claims' revision gives each reservation of orders still placed to the earliest of them."""

from datetime import timedelta
from uuid import UUID

import pytest
from alembic import command
from drift import drift
from sqlalchemy import insert, select, text

from chassis import migrations
from chassis.clock import now
from chassis.db import Database
from chassis.ids import new_id
from chassis.money import Money
from services.orders.app import SCHEMA
from services.orders.checkout.models import Order
from services.orders.deals.models import FlashClaim
from services.orders.models import Base
from services.orders.prices import service as prices
from services.orders.prices.offers import Offer

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def db(service_db) -> Database:
    return await service_db("orders", migrate=False)


async def test_the_revisions_match_the_models(db):
    assert await drift(db, SCHEMA, Base.metadata) == []


async def test_products_known_before_the_sku_read_model_stay_orderable(db):
    priced, unpriced = new_id(), new_id()
    async with db.engine.begin() as conn:
        await conn.run_sync(lambda sync: command.upgrade(SCHEMA.config(sync), "orders_0006"))
        await conn.execute(
            text(
                "INSERT INTO known_products (product_id, name, price_amount, currency) "
                "VALUES (:a, 'Tea', 1999, 'CNY'), (:b, 'Draft', NULL, NULL)"
            ),
            {"a": _stored(db, priced), "b": _stored(db, unpriced)},
        )
    await migrations.upgrade(db, SCHEMA)

    async with db.session() as session:
        offers = await prices.offers(session, [priced, unpriced])
    assert offers == {
        priced: Offer(
            sku_id=priced,
            product_id=priced,
            present=True,
            listing=None,
            price=Money(amount=1999, currency="CNY"),
        ),
        unpriced: Offer(
            sku_id=unpriced, product_id=unpriced, present=True, listing=None, price=None
        ),
    }


async def test_orders_still_placed_claim_their_flash_reservations_earliest_first(db):
    held, other = new_id(), new_id()
    first, second, cancelled, paid, plain = (new_id() for _ in range(5))
    at = now() - timedelta(minutes=5)
    rows = [  # (order, status, reservation, placed minutes after `at`)
        (second, "placed", held, 2),
        (first, "placed", held, 1),
        (cancelled, "cancelled", other, 0),
        (paid, "paid", other, 3),
        (plain, "placed", None, 4),
    ]
    async with db.engine.begin() as conn:
        await conn.run_sync(lambda sync: command.upgrade(SCHEMA.config(sync), "orders_0016"))
        for order_id, status, reservation, minutes in rows:
            await conn.execute(
                insert(Order.__table__).values(
                    id=order_id,
                    customer_id=new_id(),
                    status=status,
                    total_amount=990,
                    currency="CNY",
                    points=0,
                    attribution={"flash_reservation_id": str(reservation) if reservation else None},
                    placed_at=at + timedelta(minutes=minutes),
                )
            )
    await migrations.upgrade(db, SCHEMA)

    async with db.session() as session:
        claims = (await session.scalars(select(FlashClaim))).all()
    assert [(c.flash_reservation_id, c.order_id) for c in claims] == [(held, first)]


def _stored(db: Database, value: UUID) -> str:
    """A UUID as `sa.Uuid` stores it: 32 hex digits on SQLite, native on PostgreSQL."""
    return value.hex if db.is_sqlite else str(value)
