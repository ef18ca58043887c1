"""Checkout: a customer's request becomes a placed order, once per idempotency key."""

import hashlib
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events import outbox
from chassis.http.problems import InvalidInput
from contracts.orders import OrderPlaced
from services.orders import pricing
from services.orders.models import KnownProduct, Order, OrderLineRow
from services.orders.schemas import OrderRequest


async def place_order(
    session: AsyncSession, customer_id: UUID, request: OrderRequest, idempotency_key: str | None
) -> tuple[Order, bool]:
    """Place the order and stage OrderPlaced in the same transaction.

    Returns the order and whether it is a replay: a request repeated with the same key
    returns the order the first one placed, and places nothing.
    """
    fingerprint = _fingerprint(request) if idempotency_key else None
    if idempotency_key and (first := await _placed_with(session, customer_id, idempotency_key)):
        return _replayed(first, fingerprint), True

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
        idempotency_key=idempotency_key,
        request_fingerprint=fingerprint,
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
    try:
        await session.flush()
    except IntegrityError:
        # The same key arrived twice at once and the other request placed the order first.
        await session.rollback()
        first = idempotency_key and await _placed_with(session, customer_id, idempotency_key)
        if not first:
            raise
        return _replayed(first, fingerprint), True
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
    await session.commit()
    return order, False


def _fingerprint(request: OrderRequest) -> str:
    return hashlib.sha256(request.model_dump_json().encode()).hexdigest()


async def _placed_with(session: AsyncSession, customer_id: UUID, key: str) -> Order | None:
    return await session.scalar(
        select(Order).where(Order.customer_id == customer_id, Order.idempotency_key == key)
    )


def _replayed(first: Order, fingerprint: str | None) -> Order:
    if first.request_fingerprint != fingerprint:
        raise InvalidInput(
            "header.Idempotency-Key",
            "was already used for a different order; send a new key for a new order",
        )
    return first
