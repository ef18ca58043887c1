"""A cart, a customer's or an anonymous one, holds at most MAX_LINES SKUs, however many new
lines race for the last places."""

import asyncio

import pytest
from orders_catalog import offer_sku
from sqlalchemy import func, select

from chassis.http.problems import InvalidInput
from chassis.ids import new_id
from services.orders.carts import service as carts
from services.orders.carts.models import CartLine
from services.orders.carts.schemas import MAX_LINES
from services.orders.carts.service import CartOwner


@pytest.mark.parametrize("owner", [CartOwner.customer, CartOwner.anonymous])
async def test_new_lines_racing_for_the_last_places_never_overfill_the_cart(orders_db, owner):
    if orders_db.is_sqlite:
        pytest.skip("SQLite lets one writer at a time; the race is PostgreSQL's")
    customer = owner(new_id())
    skus = [await offer_sku(orders_db, 100) for _ in range(MAX_LINES + 10)]
    for sku in skus[: MAX_LINES - 2]:
        async with orders_db.session() as session, session.begin():
            await carts.put_item(session, customer, sku, 1)
    start = asyncio.Event()

    async def put(sku) -> bool:
        await start.wait()
        try:
            async with orders_db.session() as session, session.begin():
                await carts.put_item(session, customer, sku, 1)
        except InvalidInput:
            return False
        return True

    racing = [asyncio.create_task(put(sku)) for sku in skus[MAX_LINES - 2 :]]
    start.set()
    taken = await asyncio.gather(*racing)
    async with orders_db.session() as session:
        held = await session.scalar(
            select(func.count()).select_from(CartLine).where(CartLine.owner_id == customer.id)
        )
    assert (held, sum(taken)) == (MAX_LINES, 2)
