"""The operators' order export: every order a search matches, as CSV rows, streamed from the
database in chunks (no pagination cursor: one pass over the filter)."""

from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import Select

from chassis.db import Database
from services.orders.checkout.models import Order

HEADER = (
    "order_id",
    "customer_id",
    "status",
    "placed_at",
    "total_minor",
    "currency",
    "points",
    "units",
    "lines",
)
YIELD_PER = 500  # orders fetched (with their lines) per round trip


def row(order: Order) -> list[Any]:
    """One order as a CSV row; `lines` is `sku_id x quantity` per line, joined by `; `."""
    return [
        str(order.id),
        str(order.customer_id),
        str(order.status),
        order.placed_at.isoformat(),
        order.total_amount,
        order.currency,
        order.points,
        sum(line.quantity for line in order.lines),
        "; ".join(f"{line.sku_id} x {line.quantity}" for line in order.lines),
    ]


async def rows(db: Database, statement: Select) -> AsyncIterator[list[Any]]:
    """The rows of `statement`'s orders, newest first, in a session of the stream's own (the
    request's session is gone once the route has returned the response)."""
    ordered = statement.order_by(Order.placed_at.desc(), Order.id.desc())
    async with db.session() as session:
        result = await session.stream_scalars(ordered.execution_options(yield_per=YIELD_PER))
        async for order in result:
            yield row(order)
