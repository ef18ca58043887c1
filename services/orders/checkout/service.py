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
from services.orders.checkout import lifecycle, pricing
from services.orders.checkout.lifecycle import OrderStatus
from services.orders.checkout.models import Order, OrderLineRow, OrderStep
from services.orders.checkout.quotes import CampaignsQuotes, CampaignsUnavailable
from services.orders.checkout.schemas import OrderFilters, OrderRequest, OrderSearch
from services.orders.deals import rules as deal_rules
from services.orders.deals import service as deals
from services.orders.deals.rules import Deal
from services.orders.prices.service import offers
from services.orders.privacy import service as privacy
from services.orders.shipping import service as shipping
from services.orders.shipping.schemas import ShippingAddress


async def deal_for(
    session: AsyncSession, customer_id: UUID, request: OrderRequest, at: datetime, *, lock: bool
) -> Deal | None:
    """The group buy's or bargain's price the order takes, if it names one (a 422 if it may
    not); `lock`: the group's row, until the order is written."""
    requested = [(line.sku_id, line.quantity) for line in request.lines]
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


async def price(
    session: AsyncSession, customer_id: UUID, request: OrderRequest, at: datetime, *, lock: bool
) -> pricing.PricedOrder:
    """The order's lines priced from the catalog's read model (a deal's line at its price)."""
    address = await destination(session, customer_id, request)
    deal = await deal_for(session, customer_id, request, at, lock=lock)
    requested = [(line.sku_id, line.quantity) for line in request.lines]
    known = await offers(session, [s for s, _ in requested])
    priced = pricing.price_order(requested, known, deal)
    weighed = [(known[sku].weight_grams, quantity) for sku, quantity in requested]
    fee = await shipping.for_order(session, customer_id, address, weighed, priced.total)
    return priced if fee is None else pricing.with_shipping(priced, *fee)


async def quoted(
    session: AsyncSession,
    customer_id: UUID,
    request: OrderRequest,
    campaigns: CampaignsQuotes,
    authorization: str,
) -> pricing.PricedOrder:
    """The order priced with its coupons' discounts, as campaigns quotes them now. Holds no
    transaction while campaigns answers (at most its timeout)."""
    base = await price(session, customer_id, request, now(), lock=False)
    await session.rollback()
    quote = await campaigns.coupons(
        base.lines, request.coupon_ids, authorization, base.shipping_fee
    )
    try:
        return pricing.with_coupons(
            base,
            request.coupon_ids,
            quote.line_discounts,
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
) -> Order:
    """Stage the order and OrderPlaced: priced here from the catalog's read model (a group
    buy's or a bargain's line at its price), or as `quoted` priced it with coupons."""
    await privacy.refuse_erased(session, customer_id)
    order_id, at = new_id(), now()
    address = await destination(session, customer_id, request)
    if priced is None:
        priced = await price(session, customer_id, request, at, lock=True)
    else:  # a deal still holds (and the group's row is locked) as the order is written
        await deal_for(session, customer_id, request, at, lock=True)
    if request.bargain_id is not None:
        await deals.take_bargain(session, request.bargain_id, order_id)
    attribution = Attribution(
        coupon_ids=request.coupon_ids, group_id=request.group_id, bargain_id=request.bargain_id
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
    """Cancel the order and tell every participant to give back what it took, once."""
    if not await advance(session, order, OrderStatus.CANCELLED, cause):
        return False
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
