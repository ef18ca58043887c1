"""Checkout: a customer's request becomes a placed order, priced from the catalog."""

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events import outbox
from contracts.orders import OrderPlaced
from services.orders import pricing
from services.orders.models import KnownProduct, Order, OrderLineRow
from services.orders.schemas import OrderRequest


async def place_order(session: AsyncSession, customer_id: UUID, request: OrderRequest) -> Order:
    """Stage the order and its OrderPlaced event; the caller commits (the route runs this
    under `chassis.idempotency`, which stores the response in the same transaction)."""
    product_ids = {line.product_id for line in request.lines}
    known = await session.scalars(
        select(KnownProduct).where(KnownProduct.product_id.in_(product_ids))
    )
    priced = pricing.price_order(
        [(line.product_id, line.quantity) for line in request.lines],
        {product.product_id: product.price for product in known},
    )
    order = Order(
        customer_id=customer_id,
        total=priced.total,
        lines=[
            OrderLineRow(
                line_no=line_no,
                product_id=line.sku_id,
                quantity=line.quantity,
                unit_price=line.unit_price,
            )
            for line_no, line in enumerate(priced.lines)
        ],
    )
    session.add(order)
    await session.flush()
    await outbox.add(
        session,
        OrderPlaced(
            order_id=order.id,
            customer_id=customer_id,
            lines=priced.lines,
            total=priced.total,
            placed_at=order.placed_at,
        ),
    )
    return order
