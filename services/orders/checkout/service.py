"""Orders' operations: placing one, reading them, and moving one along its lifecycle.

Each operation stages its changes and events in the session; the route or handler that
calls it owns the transaction (checkout commits through `chassis.idempotency`).
"""

from datetime import datetime
from uuid import UUID

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.events import outbox
from chassis.http.problems import Conflict, NotFound
from chassis.ids import new_id
from contracts.orders import Attribution, CancelReason, OrderCancelled, OrderPlaced
from services.orders.addresses import service as addresses
from services.orders.campaigns import service as campaign_calendar
from services.orders.checkout import lifecycle, pricing
from services.orders.checkout.lifecycle import OrderStatus
from services.orders.checkout.models import Order, OrderLineRow, OrderStep
from services.orders.checkout.quotes import CampaignsQuotes, CampaignsUnavailable
from services.orders.checkout.schemas import OrderFilters, OrderRequest, OrderSearch
from services.orders.deals import rules as deal_rules
from services.orders.deals import service as deals
from services.orders.deals.rules import Deal, FlashTerms
from services.orders.prices.service import offers
from services.orders.privacy import service as privacy
from services.orders.shipping import service as shipping
from services.orders.shipping.schemas import ShippingAddress


async def deal_for(
    session: AsyncSession,
    customer_id: UUID,
    request: OrderRequest,
    at: datetime,
    *,
    lock: bool,
    flash: FlashTerms | None = None,
) -> Deal | None:
    """The group buy's, bargain's or flash reservation's price the order takes, if it names
    one (a 422 or 409 if it may not); `lock`: the group's row, until the order is written;
    `flash`: the reservation as campaigns told it (`flash_reservation`)."""
    requested = [(line.sku_id, line.quantity) for line in request.lines]
    if request.flash_reservation_id is not None:
        return deal_rules.flash_deal(flash, requested, at)
    if request.group_id is not None:
        deal = await deals.group_deal(session, request.group_id, customer_id, at, lock=lock)
        deal_rules.check_lines(deal, deal_rules.GROUP, requested)
        return deal
    if request.bargain_id is not None:
        deal = await deals.bargain_deal(session, request.bargain_id, customer_id, at)
        deal_rules.check_lines(deal, deal_rules.BARGAIN, requested)
        return deal
    return None


async def destination(
    session: AsyncSession, customer_id: UUID, request: OrderRequest
) -> ShippingAddress | None:
    """Where the order goes: the address given, or the customer's saved one it names."""
    if request.address_id is not None:
        return await addresses.for_checkout(session, customer_id, request.address_id)
    return request.shipping_address


async def goods(
    session: AsyncSession,
    customer_id: UUID,
    request: OrderRequest,
    at: datetime,
    *,
    lock: bool,
    flash: FlashTerms | None = None,
) -> tuple[pricing.PricedOrder, list[tuple[int | None, int]]]:
    """The order's lines priced from the catalog's read model (a deal's line at its price),
    and each line's (unit weight, quantity)."""
    deal = await deal_for(session, customer_id, request, at, lock=lock, flash=flash)
    requested = [(line.sku_id, line.quantity) for line in request.lines]
    known = await offers(session, [s for s, _ in requested])
    priced = pricing.price_order(requested, known, deal)
    return priced, [(known[sku].weight_grams, quantity) for sku, quantity in requested]


async def shipped(
    session: AsyncSession,
    customer_id: UUID,
    request: OrderRequest,
    priced: pricing.PricedOrder,
    weighed: list[tuple[int | None, int]],
) -> pricing.PricedOrder:
    """The order with the shipping fee of the freight template in force (none: as it is)."""
    address = await destination(session, customer_id, request)
    fee = await shipping.for_order(session, customer_id, address, weighed, priced.total)
    return priced if fee is None else pricing.with_shipping(priced, *fee)


async def price(
    session: AsyncSession,
    customer_id: UUID,
    request: OrderRequest,
    at: datetime,
    *,
    lock: bool,
    flash: FlashTerms | None = None,
) -> pricing.PricedOrder:
    """The order priced from the catalog's read model (a deal's line at its price), shipped."""
    priced, weighed = await goods(session, customer_id, request, at, lock=lock, flash=flash)
    return await shipped(session, customer_id, request, priced, weighed)


async def flash_reservation(
    request: OrderRequest, campaigns: CampaignsQuotes, authorization: str
) -> FlashTerms | None:
    """The flash reservation the order names, read fresh from campaigns as the customer (None
    when it names none, or campaigns knows none of theirs); a 503 when campaigns cannot say:
    only it knows whether the reservation is still held. Holds no transaction."""
    if request.flash_reservation_id is None:
        return None
    return await campaigns.flash_reservation(request.flash_reservation_id, authorization)


async def quoted(
    session: AsyncSession,
    customer_id: UUID,
    request: OrderRequest,
    campaigns: CampaignsQuotes,
    authorization: str,
    flash: FlashTerms | None = None,
) -> pricing.PricedOrder:
    """The order priced as campaigns quotes it now: each line at the campaign price running
    for the customer (when below its list or deal price), shipped at those prices, with its
    coupons' discounts. Without a quote, the catalog's price when `unquoted_refusal` allows
    it, else a 503. Holds no transaction while campaigns answers (at most its timeout). A
    flash reservation's line comes at the flash price (`flash`, as `flash_reservation` read
    it), as a deal's."""
    at = now()
    listed, weighed = await goods(session, customer_id, request, at, lock=False, flash=flash)
    base = await shipped(session, customer_id, request, listed, weighed)
    running = await campaign_calendar.pricing(session, [line.sku_id for line in listed.lines], at)
    await session.rollback()
    try:
        return await _at_quoted_prices(
            session, customer_id, request, campaigns, authorization, listed, weighed, base
        )
    except CampaignsUnavailable as error:
        if (refusal := pricing.unquoted_refusal(request.coupon_ids, running)) is not None:
            raise CampaignsUnavailable(error.why, refusal) from None
        return base


async def _at_quoted_prices(
    session: AsyncSession,
    customer_id: UUID,
    request: OrderRequest,
    campaigns: CampaignsQuotes,
    authorization: str,
    listed: pricing.PricedOrder,
    weighed: list[tuple[int | None, int]],
    base: pricing.PricedOrder,
) -> pricing.PricedOrder:
    """Ask the quote with the fee at the lines' list or deal prices; the fee is then priced
    again at the campaign prices (a threshold counts what the goods cost before coupons), and
    an order with coupons whose fee changed is quoted again with it (a free-shipping coupon
    takes the fee the order pays)."""
    fee = base.shipping_fee
    for _ in range(2):
        quote = await campaigns.quote(listed.lines, request.coupon_ids, authorization, fee)
        try:
            campaign_priced = pricing.at_quoted_prices(
                listed, [(q.unit_price, q.campaign_id) for q in quote.lines]
            )
        except ValueError as error:  # a quote that does not fit the order: not to be trusted
            raise CampaignsUnavailable(
                f"campaigns quoted what the order cannot take: {error}"
            ) from None
        priced = await shipped(session, customer_id, request, campaign_priced, weighed)
        await session.rollback()
        if priced.shipping_fee == fee or not request.coupon_ids:
            break
        fee = priced.shipping_fee
    else:
        raise CampaignsUnavailable("the shipping fee changed between two quotes")
    try:
        return pricing.with_coupons(
            priced,
            request.coupon_ids,
            [q.discount for q in quote.lines],
            quote.not_applied,
            quote.shipping_discount,
        )
    except ValueError as error:  # a quote that does not fit the order: not to be trusted
        raise CampaignsUnavailable(
            f"campaigns quoted what the order cannot take: {error}"
        ) from None


async def place_order(
    session: AsyncSession,
    customer_id: UUID,
    request: OrderRequest,
    priced: pricing.PricedOrder | None = None,
    flash: FlashTerms | None = None,
) -> Order:
    """Stage the order and OrderPlaced: priced here from the catalog's read model (a group
    buy's or a bargain's line at its price), or as `quoted` priced it (campaign prices and
    coupons). An order naming a flash reservation needs it as campaigns told it (`flash`):
    its session and SKU go in the attribution, for the catalog to draw the session's hold."""
    await privacy.refuse_erased(session, customer_id)
    order_id, at = new_id(), now()
    if request.flash_reservation_id is not None:  # first: a loser waits, then writes nothing
        await deals.claim_flash(session, request.flash_reservation_id, order_id)
    address = await destination(session, customer_id, request)
    if priced is None:
        priced = await price(session, customer_id, request, at, lock=True, flash=flash)
    else:  # a deal still holds (and the group's row is locked) as the order is written
        await deal_for(session, customer_id, request, at, lock=True, flash=flash)
    if request.bargain_id is not None:
        await deals.take_bargain(session, request.bargain_id, order_id)
    attribution = Attribution(
        campaign_ids=list(priced.campaign_ids),
        coupon_ids=request.coupon_ids,
        flash_reservation_id=request.flash_reservation_id,
        flash_session_id=flash.session_id if flash else None,
        flash_sku_id=flash.sku_id if flash else None,
        group_id=request.group_id,
        bargain_id=request.bargain_id,
    )
    order = Order(
        id=order_id,
        customer_id=customer_id,
        total=priced.total,
        points=request.points,
        attribution=attribution.model_dump(mode="json"),
        group_id=request.group_id,
        shipping_fee_amount=priced.shipping_fee.amount if priced.shipping_fee else None,
        shipping_rule=priced.shipping_rule,
        placed_at=at,
        lines=[OrderLineRow.from_contract(n, line) for n, line in enumerate(priced.lines)],
        history=[OrderStep(status=OrderStatus.PLACED, cause="placed by the customer")],
    )
    order.ship_to(address)
    session.add(order)
    await session.flush()
    await outbox.add(
        session,
        OrderPlaced(
            order_id=order.id,
            customer_id=customer_id,
            lines=priced.lines,
            total=priced.total,
            shipping_fee=priced.shipping_fee,
            points=request.points,
            attribution=attribution,
            placed_at=order.placed_at,
        ),
    )
    return order


async def advance(
    session: AsyncSession, order: Order, target: OrderStatus, cause: str, **values
) -> bool:
    """Move `order` to `target` if the lifecycle allows it (else IllegalTransition, 409),
    in one statement that checks the status it leaves; record the step. False when another
    transaction moved the order first (the caller then does nothing)."""
    lifecycle.check(order.status, target)
    moved = await session.execute(
        update(Order)
        .where(Order.id == order.id, Order.status == order.status)
        .values(status=target, **values)
    )
    if moved.rowcount != 1:
        return False
    order.history.append(OrderStep(status=target, cause=cause))
    return True


class ChangedMeanwhile(Conflict):
    def __init__(self, order_id: UUID) -> None:
        super().__init__(f"Order {order_id} changed meanwhile; read it again.")


async def cancel(
    session: AsyncSession, order: Order, reason: CancelReason, detail: str | None, cause: str
) -> bool:
    """Cancel the order and tell every participant to give back what it took, once; its
    claim on a flash reservation goes."""
    if not await advance(session, order, OrderStatus.CANCELLED, cause):
        return False
    if order.flash_reservation_id is not None:
        await deals.release_flash(session, order.id)
    await outbox.add(
        session,
        OrderCancelled(
            order_id=order.id,
            customer_id=order.customer_id,
            reason=reason,
            detail=detail,
            lines=order.contract_lines(),
            points=order.points,
            attribution=order.attributed,
            cancelled_at=now(),
        ),
    )
    return True


async def locked(session: AsyncSession, order_id: UUID) -> Order | None:
    """The order, its row locked until the transaction ends (PostgreSQL; SQLite has one
    writer at a time), so that two events about it are applied one after the other."""
    return await session.scalar(
        select(Order)
        .where(Order.id == order_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def own_order(
    session: AsyncSession, order_id: UUID, customer_id: UUID, *, lock: bool = False
) -> Order:
    """The customer's order; another's is "not found": an id reveals nothing about its owner."""
    order = await locked(session, order_id) if lock else await session.get(Order, order_id)
    if order is None or order.customer_id != customer_id:
        raise NotFound(f"No order {order_id}.")
    return order


def filtered(statement: Select, filters: OrderFilters) -> Select:
    if filters.status is not None:
        statement = statement.where(Order.status == filters.status)
    if filters.placed_from is not None:
        statement = statement.where(Order.placed_at >= filters.placed_from)
    if filters.placed_to is not None:
        statement = statement.where(Order.placed_at < filters.placed_to)
    return statement


def searched(statement: Select, filters: OrderSearch) -> Select:
    statement = filtered(statement, filters)
    if filters.customer_id is not None:
        statement = statement.where(Order.customer_id == filters.customer_id)
    if (sku_id := filters.sku_id) is not None:
        with_sku = select(OrderLineRow.order_id).where(OrderLineRow.product_id == sku_id)
        statement = statement.where(Order.id.in_(with_sku))
    return statement


def expired(at: datetime) -> Select:
    """Orders still unpaid when their payment window closed at `at` or before."""
    return select(Order).where(
        Order.status == OrderStatus.AWAITING_PAYMENT, Order.payment_expires_at <= at
    )
