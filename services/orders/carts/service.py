"""Carts' operations, for any cart owner (a signed-in customer, or an anonymous cart): put a
SKU in (or change its quantity), take it out, read the cart; and merging an anonymous cart
into a customer's on sign-in."""

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.db import lock_until_commit
from chassis.events import outbox
from chassis.http.problems import InvalidInput, NotFound
from chassis.money import Money
from contracts.orders import CartItemAdded, CartItemRemoved
from services.orders.carts import anonymous, pricing
from services.orders.carts.merging import merged
from services.orders.carts.models import CartLine
from services.orders.carts.schemas import MAX_LINES, CartOut, LeftOutLine
from services.orders.checkout.quotes import CampaignsQuotes, CampaignsUnavailable
from services.orders.prices import amounts
from services.orders.prices.offers import refusal
from services.orders.prices.service import offers
from services.orders.privacy import service as privacy

CARTS = 0xCA475  # advisory lock space: one cart's lines change one transaction at a time


@dataclass(frozen=True)
class CartOwner:
    """Whose cart: a signed-in customer's, whose changes are events (abandoned-cart journeys
    reach them) and who may have been erased; or an anonymous cart, which no one can be
    reached about (its changes publish nothing) and campaigns cannot quote (it prices by the
    customer's segments)."""

    id: UUID
    is_customer: bool

    @classmethod
    def customer(cls, customer_id: UUID) -> "CartOwner":
        return cls(customer_id, True)

    @classmethod
    def anonymous(cls, cart_id: UUID) -> "CartOwner":
        return cls(cart_id, False)


async def put_item(session: AsyncSession, owner: CartOwner, sku_id: UUID, quantity: int) -> None:
    """The cart holds `quantity` of the SKU (added, or changed); only a SKU that can be
    ordered now goes in (a 422 naming it otherwise: unknown, delisted, unpriced), and only
    as many units as the money limit can price (a 422 naming the quantity)."""
    if owner.is_customer:
        await privacy.refuse_erased(session, owner.id)
    offer = (await offers(session, [sku_id])).get(sku_id)
    if (why := refusal(sku_id, offer)) is not None:
        raise InvalidInput("path.sku_id", why)
    if amounts.times(offer.price, quantity) is None:
        raise InvalidInput("body.quantity", amounts.beyond(f"{quantity} units of {sku_id}"))
    # Under the cart's lock: two new lines racing for the last place would otherwise both see
    # room, and a merge summing quantities would lose a put's.
    await lock_until_commit(session, CARTS, owner.id)
    line = await session.get(CartLine, (owner.id, sku_id))
    if line is None:
        lines = select(func.count()).where(CartLine.owner_id == owner.id)
        if await session.scalar(lines) >= MAX_LINES:
            raise InvalidInput("path.sku_id", f"a cart holds at most {MAX_LINES} SKUs")
        session.add(CartLine(owner_id=owner.id, sku_id=sku_id, quantity=quantity))
    else:
        line.quantity = quantity
    await _added(session, owner, sku_id, quantity, offer.price)


async def _added(
    session: AsyncSession, owner: CartOwner, sku_id: UUID, quantity: int, price: Money
) -> None:
    if owner.is_customer:
        added = CartItemAdded(
            customer_id=owner.id, sku_id=sku_id, quantity=quantity, unit_price=price, added_at=now()
        )
        await outbox.add(session, added)


async def remove_item(session: AsyncSession, owner: CartOwner, sku_id: UUID) -> None:
    line = await session.get(CartLine, (owner.id, sku_id))
    if line is None:
        raise NotFound(f"No {sku_id} in the cart.")
    await session.delete(line)
    if owner.is_customer:
        removed = CartItemRemoved(customer_id=owner.id, sku_id=sku_id, removed_at=now())
        await outbox.add(session, removed)


async def _lines(session: AsyncSession, owner_id: UUID) -> list[CartLine]:
    """The cart's lines, oldest first."""
    query = (
        select(CartLine)
        .where(CartLine.owner_id == owner_id)
        .order_by(CartLine.added_at, CartLine.sku_id)
    )
    return list(await session.scalars(query))


async def cart(session: AsyncSession, owner: CartOwner) -> CartOut:
    """The cart, priced from today's read model of catalog prices."""
    rows = await _lines(session, owner.id)
    known = await offers(session, [row.sku_id for row in rows])
    return pricing.price_cart([(row.sku_id, row.quantity) for row in rows], known)


async def quoted_cart(
    session: AsyncSession, owner: CartOwner, campaigns: CampaignsQuotes, authorization: str
) -> CartOut:
    """The cart at the prices checkout would charge now: campaigns' quote without coupons, as
    the customer (their bearer token: campaigns prices by their segments). When campaigns
    cannot answer (away, slow, an error, a quote not to be trusted), and for an anonymous
    cart (no customer to quote for), the list prices, `prices_confirmed` false: a cart read
    never fails for it. Holds no transaction while campaigns answers."""
    listed = await cart(session, owner)
    await session.rollback()
    if listed.prices_confirmed or not owner.is_customer:
        return listed
    try:
        quote = await campaigns.quote(pricing.quotable(listed.lines), [], authorization)
        quoted = [(q.unit_price, q.campaign_id) for q in quote.lines]
        return pricing.at_quoted_prices(listed, quoted)
    except (CampaignsUnavailable, ValueError):
        return listed


async def merge(
    session: AsyncSession, customer_id: UUID, token: str, ttl: timedelta
) -> tuple[UUID, list[LeftOutLine]]:
    """Move the anonymous cart the token opens into the customer's cart (`merging.merged`:
    quantities summed and capped, new lines while there is room) and delete it; the lines it
    adds or raises are `cart.item_added` events for the customer, as a put's. The anonymous
    cart's id and what was left out. One effect however often it is sent at once: the cart
    is claimed by one guarded DELETE, so a repeat (or a racing merge) finds no cart (404)."""
    await privacy.refuse_erased(session, customer_id)
    cart_id = await anonymous.claim(session, token, ttl)
    await lock_until_commit(session, CARTS, customer_id)
    incoming = await _lines(session, cart_id)
    await session.execute(delete(CartLine).where(CartLine.owner_id == cart_id))
    mine = {line.sku_id: line for line in await _lines(session, customer_id)}
    known = await offers(session, [line.sku_id for line in incoming])
    added_at = {line.sku_id: line.added_at for line in incoming}
    outcome = merged(
        {sku_id: line.quantity for sku_id, line in mine.items()},
        [(line.sku_id, line.quantity) for line in incoming],
        known,
    )
    owner = CartOwner.customer(customer_id)
    for held in outcome.held:
        if held.new:
            # Keeps the time the visitor put it in a cart, so the cart's order stays theirs.
            line = CartLine(
                owner_id=customer_id,
                sku_id=held.sku_id,
                quantity=held.quantity,
                added_at=added_at[held.sku_id],
            )
            session.add(line)
        else:
            mine[held.sku_id].quantity = held.quantity
        await _added(session, owner, held.sku_id, held.quantity, held.unit_price)
    return cart_id, outcome.left_out
