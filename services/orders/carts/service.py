"""Carts' operations: put a SKU in (or change its quantity), take it out, read the cart."""

from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.db import lock_until_commit
from chassis.events import outbox
from chassis.http.problems import InvalidInput, NotFound
from contracts.orders import CartItemAdded, CartItemRemoved
from services.orders.carts import pricing
from services.orders.carts.models import CartLine
from services.orders.carts.schemas import MAX_LINES, CartOut
from services.orders.checkout.quotes import CampaignsQuotes, CampaignsUnavailable
from services.orders.prices import amounts
from services.orders.prices.offers import refusal
from services.orders.prices.service import offers
from services.orders.privacy import service as privacy

CARTS = 0xCA475  # advisory lock space: one customer's new cart lines, one at a time


async def put_item(session: AsyncSession, customer_id: UUID, sku_id: UUID, quantity: int) -> None:
    """The cart holds `quantity` of the SKU (added, or changed); only a SKU that can be
    ordered now goes in (a 422 naming it otherwise: unknown, delisted, unpriced), and only
    as many units as the money limit can price (a 422 naming the quantity)."""
    await privacy.refuse_erased(session, customer_id)
    offer = (await offers(session, [sku_id])).get(sku_id)
    if (why := refusal(sku_id, offer)) is not None:
        raise InvalidInput("path.sku_id", why)
    if amounts.times(offer.price, quantity) is None:
        raise InvalidInput("body.quantity", amounts.beyond(f"{quantity} units of {sku_id}"))
    line = await session.get(CartLine, (customer_id, sku_id))
    if line is None:
        # Counted under the customer's lock: two new lines racing for the last place would
        # otherwise both see room.
        await lock_until_commit(session, CARTS, customer_id)
        lines = select(func.count()).where(CartLine.customer_id == customer_id)
        if await session.scalar(lines) >= MAX_LINES:
            raise InvalidInput("path.sku_id", f"a cart holds at most {MAX_LINES} SKUs")
        session.add(CartLine(customer_id=customer_id, sku_id=sku_id, quantity=quantity))
    else:
        line.quantity = quantity
    await outbox.add(
        session,
        CartItemAdded(
            customer_id=customer_id,
            sku_id=sku_id,
            quantity=quantity,
            unit_price=offer.price,
            added_at=now(),
        ),
    )


async def remove_item(session: AsyncSession, customer_id: UUID, sku_id: UUID) -> None:
    line = await session.get(CartLine, (customer_id, sku_id))
    if line is None:
        raise NotFound(f"No {sku_id} in the cart.")
    await session.delete(line)
    await outbox.add(
        session, CartItemRemoved(customer_id=customer_id, sku_id=sku_id, removed_at=now())
    )


async def cart(session: AsyncSession, customer_id: UUID) -> CartOut:
    """The customer's cart, priced from today's read model of catalog prices."""
    rows = list(
        await session.scalars(
            select(CartLine)
            .where(CartLine.customer_id == customer_id)
            .order_by(CartLine.added_at, CartLine.sku_id)
        )
    )
    known = await offers(session, [row.sku_id for row in rows])
    return pricing.price_cart([(row.sku_id, row.quantity) for row in rows], known)


async def quoted_cart(
    session: AsyncSession, customer_id: UUID, campaigns: CampaignsQuotes, authorization: str
) -> CartOut:
    """The customer's cart at the prices checkout would charge now: campaigns' quote without
    coupons, as the customer (their bearer token: campaigns prices by their segments). When
    campaigns cannot answer (away, slow, an error, a quote not to be trusted) the list
    prices, `prices_confirmed` false: a cart read never fails for it. Holds no transaction
    while campaigns answers."""
    listed = await cart(session, customer_id)
    await session.rollback()
    if listed.prices_confirmed:  # nothing campaigns could price
        return listed
    try:
        quote = await campaigns.quote(pricing.quotable(listed.lines), [], authorization)
        quoted = [(q.unit_price, q.campaign_id) for q in quote.lines]
        return pricing.at_quoted_prices(listed, quoted)
    except (CampaignsUnavailable, ValueError):
        return listed
