"""Refunds' operations: claim part of an order line for a refund (guarded), give the money
back through the provider and publish RefundCompleted; an operator's refund, full or per line.

A claim is one guarded UPDATE of the order line (`claimed_refund + :amount <= paid_amount
AND claimed_units + :units <= quantity`), never a read-modify-write, so concurrent
requests and refunds of one line never add up to more than was paid for it.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.events import outbox
from chassis.http.problems import Conflict, InvalidInput, NotFound
from chassis.ids import new_id
from chassis.money import Money
from contracts.orders import AfterSaleKind, RefundCompleted
from services.orders.checkout import service as orders
from services.orders.checkout.lifecycle import OrderStatus
from services.orders.checkout.models import Order, OrderLineRow
from services.orders.payments.models import Payment, PaymentStatus
from services.orders.payments.provider import PaymentProvider
from services.orders.refunds import shares
from services.orders.refunds.models import Refund, RefundLine, RefundStatus
from services.orders.refunds.schemas import RefundRequest

REFUNDABLE = frozenset(
    {OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED}
)


@dataclass(frozen=True)
class Portion:
    """A part of an order line to give back: units returned (0 without a return), amount."""

    line: OrderLineRow
    units: int
    amount: int


async def claim(session: AsyncSession, portion: Portion) -> bool:
    """Claim the portion of its line, if what remains of it allows; False if not."""
    line = portion.line
    claimed = await session.execute(
        update(OrderLineRow)
        .where(
            OrderLineRow.order_id == line.order_id,
            OrderLineRow.line_no == line.line_no,
            OrderLineRow.claimed_refund + portion.amount <= OrderLineRow.paid_amount,
            OrderLineRow.claimed_units + portion.units <= OrderLineRow.quantity,
        )
        .values(
            claimed_refund=OrderLineRow.claimed_refund + portion.amount,
            claimed_units=OrderLineRow.claimed_units + portion.units,
        )
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1


async def release(session: AsyncSession, portion: Portion) -> None:
    """Give a claim back (its request was rejected). The caller's state change from
    `requested` happens once, so this runs once per claim."""
    line = portion.line
    released = await session.execute(
        update(OrderLineRow)
        .where(
            OrderLineRow.order_id == line.order_id,
            OrderLineRow.line_no == line.line_no,
            OrderLineRow.claimed_refund >= portion.amount,
            OrderLineRow.claimed_units >= portion.units,
        )
        .values(
            claimed_refund=OrderLineRow.claimed_refund - portion.amount,
            claimed_units=OrderLineRow.claimed_units - portion.units,
        )
        .execution_options(synchronize_session=False)
    )
    if released.rowcount != 1:
        raise RuntimeError(f"order {line.order_id} line {line.line_no} holds less than its claim")


async def give_back(
    session: AsyncSession,
    order: Order,
    portions: Sequence[Portion],
    provider: PaymentProvider,
    *,
    reason: str,
    by: UUID | None,
    aftersale_id: UUID | None = None,
    restock: bool = False,
    refund_id: UUID | None = None,
    kind: AfterSaleKind | None = None,
) -> Refund:
    """Refund claimed portions of a paid order (its row locked by the caller) through the
    provider, with the shipping fee when this refund leaves nothing of the lines unrefunded
    (`shares.shipping_back`, by the after-sales `kind` it settles), and publish
    RefundCompleted with the lines and amounts (in the caller's transaction). `refund_id`:
    the refund's id when the caller derives it (the provider's idempotency key)."""
    payment = await session.scalar(
        select(Payment).where(
            Payment.order_id == order.id, Payment.status == PaymentStatus.SUCCEEDED
        )
    )
    if payment is None:
        raise Conflict(f"Order {order.id} has no payment to refund.")
    currency, refund_id = order.total.currency, refund_id or new_id()
    shipping = await shipping_back(session, order, portions, kind, refund_id)
    refund = Refund(
        id=refund_id,
        order_id=order.id,
        payment_id=payment.id,
        aftersale_id=aftersale_id,
        amount=Money(amount=sum(p.amount for p in portions) + shipping, currency=currency),
        shipping_minor=shipping,
        reason=reason,
        restock=restock,
        requested_by=by,
        lines=[
            RefundLine(
                line_no=p.line.line_no,
                sku_id=p.line.sku_id,
                quantity=p.units,
                amount=Money(amount=p.amount, currency=currency),
            )
            for p in portions
        ],
    )
    refund.provider_reference = await provider.refund(payment.reference, refund.id, refund.amount)
    refund.status, refund.completed_at = RefundStatus.SUCCEEDED, now()
    session.add(refund)
    await session.flush()
    await outbox.add(
        session,
        RefundCompleted(
            refund_id=refund.id,
            order_id=order.id,
            customer_id=order.customer_id,
            lines=refund.contract_lines(),
            amount=refund.amount,
            shipping_fee=refund.shipping_fee,
            restock=restock,
            completed_at=refund.completed_at,
            aftersale_id=aftersale_id,
        ),
    )
    return refund


async def shipping_back(
    session: AsyncSession,
    order: Order,
    portions: Sequence[Portion],
    kind: AfterSaleKind | None,
    refund_id: UUID,
) -> int:
    """The shipping fee the refund gives back: all of it, or 0. What remains of the lines is
    read under the order's lock (refunds of one order happen one after the other), and the
    fee is taken by one guarded UPDATE naming the refund, so it goes back once."""
    fee = order.shipping_fee_amount or 0
    if fee == 0:
        return 0
    before = dict(
        (
            await session.execute(
                select(RefundLine.line_no, func.sum(RefundLine.amount_minor))
                .join(Refund, Refund.id == RefundLine.refund_id)
                .where(Refund.order_id == order.id, Refund.automatic.is_(False))
                .group_by(RefundLine.line_no)
            )
        ).all()
    )
    left = sum(line.paid_amount - before.get(line.line_no, 0) for line in order.lines)
    left -= sum(p.amount for p in portions)
    if not shares.shipping_back(kind, left):
        return 0
    taken = await session.execute(
        update(Order)
        .where(Order.id == order.id, Order.shipping_refund_id.is_(None))
        .values(shipping_refund_id=refund_id)
        .execution_options(synchronize_session=False)
    )
    return fee if taken.rowcount == 1 else 0


async def refund_by_operator(
    session: AsyncSession,
    order_id: UUID,
    request: RefundRequest,
    by: UUID,
    provider: PaymentProvider,
) -> Refund:
    """An operator gives money back without a return: the lines named (each at most what
    remains of it), or, `full`, what remains of every line."""
    order = await orders.locked(session, order_id)
    if order is None:
        raise NotFound(f"No order {order_id}.")
    if order.status not in REFUNDABLE:
        raise Conflict(f"Only a paid order can be refunded; this one is {order.status}.")
    lines = {line.line_no: line for line in order.lines}
    if request.full:
        portions = [
            Portion(line, 0, line.paid_amount - line.claimed_refund)
            for line in order.lines
            if line.paid_amount > line.claimed_refund
        ]
        if not portions:
            raise Conflict(f"Order {order_id} has nothing left to refund.")
    else:
        portions = []
        for index, asked in enumerate(request.lines):
            if (line := lines.get(asked.line_no)) is None:
                raise InvalidInput(
                    f"body.lines.{index}.line_no", f"order {order_id} has no line {asked.line_no}"
                )
            portions.append(Portion(line, 0, asked.amount.amount))
            if asked.amount.currency != line.currency:
                raise InvalidInput(
                    f"body.lines.{index}.amount.currency", f"the order was paid in {line.currency}"
                )
    for index, portion in enumerate(portions):
        if not await claim(session, portion):
            field = "body.full" if request.full else f"body.lines.{index}.amount"
            raise InvalidInput(field, _beyond(portion))
    return await give_back(session, order, portions, provider, reason=request.reason, by=by)


def _beyond(portion: Portion) -> str:
    line = portion.line
    return (
        f"line {line.line_no} was paid {line.paid_amount} and {line.claimed_refund} of it is "
        f"refunded or asked back: {portion.amount} more would exceed it"
    )


async def of_order(session: AsyncSession, order_id: UUID) -> list[Refund]:
    return list(
        await session.scalars(
            select(Refund).where(Refund.order_id == order_id).order_by(Refund.created_at)
        )
    )


async def return_payment(
    session: AsyncSession, order: Order, payment: Payment, provider: PaymentProvider
) -> Refund:
    """A payment arrived for an order that can no longer take it (cancelled meanwhile): all
    of it goes back, once (the partial unique index on automatic refunds per payment). No
    RefundCompleted: the order was never paid, so nothing downstream counted it."""
    refund = Refund(
        id=new_id(),
        order_id=order.id,
        payment_id=payment.id,
        automatic=True,
        amount=payment.amount,
        reason=f"paid while the order was {order.status}",
    )
    refund.provider_reference = await provider.refund(payment.reference, refund.id, refund.amount)
    refund.status, refund.completed_at = RefundStatus.SUCCEEDED, now()
    session.add(refund)
    return refund
