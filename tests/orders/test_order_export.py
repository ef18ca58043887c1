"""The order export streams in chunks from the database, on SQLite and PostgreSQL: every
matching order once, newest first, each with all its lines, whatever the chunk size."""

from orders_catalog import offer_sku
from sqlalchemy import select

from chassis.ids import new_id
from services.orders.checkout import export, service
from services.orders.checkout.models import Order
from services.orders.checkout.schemas import OrderRequest, OrderSearch


async def test_every_matching_order_comes_once_with_all_its_lines(db, monkeypatch):
    monkeypatch.setattr(export, "YIELD_PER", 2)  # chunks smaller than the result
    tea, mug = await offer_sku(db), await offer_sku(db)
    customer, other = new_id(), new_id()
    placed = []
    for n, who in enumerate([customer, customer, other, customer, customer]):
        body = OrderRequest.model_validate(
            {
                "lines": [
                    {"sku_id": str(tea), "quantity": n + 1},
                    {"sku_id": str(mug), "quantity": 1},
                ]
            }
        )
        async with db.session() as session, session.begin():
            placed.append((await service.place_order(session, who, body)).id)

    search = OrderSearch(customer_id=customer)
    rows = [row async for row in export.rows(db, service.searched(select(Order), search))]

    assert [row[0] for row in rows] == [str(placed[i]) for i in (4, 3, 1, 0)]
    assert [row[-1] for row in rows] == [f"{tea} x {n}; {mug} x 1" for n in (5, 4, 2, 1)]
