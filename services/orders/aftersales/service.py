"""After-sales operations: a customer's request (its refund claimed on the order lines at
once) or its withdrawal, an operator's approval or rejection, the returned goods received,
and the refund.

Each step moves the request in one statement that checks the state it leaves, so of two
concurrent decisions only one happens; the other is a 409.
"""

from datetime import timedelta
from uuid import UUID

from sqlalchemy import Select, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.events import outbox
from chassis.http.problems import Conflict, InvalidInput, NotFound
from chassis.money import Money
from contracts.orders import (
    AfterSaleApproved,
    AfterSaleKind,
    AfterSaleRejected,
    AfterSaleRequested,
    AfterSaleWithdrawn,
)
from services.orders.aftersales import lifecycle
from services.orders.aftersales.lifecycle import OPEN, AfterSaleStatus
from services.orders.aftersales.models import AfterSale, AfterSaleLineRow, AfterSaleStep
from services.orders.aftersales.schemas import AfterSaleFilters, AfterSaleRequest
from services.orders.checkout import service as orders
from services.orders.checkout.models import Order, OrderLineRow
from services.orders.payments.provider import PaymentProvider
from services.orders.privacy import service as privacy
from services.orders.refunds import service as refunds
from services.orders.refunds.service import Portion
from services.orders.refunds.shares import worth


async def request(
    session: AsyncSession,
    order_id: UUID,
    customer_id: UUID,
    body: AfterSaleRequest,
    return_window: timedelta,
) -> AfterSale:
    """The customer asks for lines of their order back; each line's refund is its units'
    share of what was paid for it, claimed at once (so two requests cannot ask for more)."""
    await privacy.refuse_erased(session, customer_id)
    order = await orders.own_order(session, order_id, customer_id, lock=True)
    lifecycle.check_requestable(body.kind, order.status, order.delivered_at, now(), return_window)
    lines = {line.line_no: line for line in order.lines}
    portions = []
    for index, asked in enumerate(body.lines):
        if (line := lines.get(asked.line_no)) is None:
            raise InvalidInput(
                f"body.lines.{index}.line_no", f"order {order_id} has no line {asked.line_no}"
            )
        remaining = line.quantity - line.claimed_units
        if asked.quantity > remaining:
            raise InvalidInput(f"body.lines.{index}.quantity", _units_left(line, remaining))
        amount = worth(
            line.paid_amount, line.quantity, line.claimed_units, line.claimed_refund, asked.quantity
        )
        portions.append((index, Portion(line, asked.quantity, amount)))
    for index, portion in portions:
        if not await refunds.claim(session, portion):
            raise InvalidInput(f"body.lines.{index}.quantity", "was asked back meanwhile")
    currency = order.total.currency
    aftersale = AfterSale(
        order_id=order.id,
        customer_id=customer_id,
        kind=body.kind,
        reason=body.reason,
        photo_urls=[str(url) for url in body.photo_urls],
        amount=Money(amount=sum(p.amount for _, p in portions), currency=currency),
        lines=[
            AfterSaleLineRow(
                line_no=p.line.line_no,
                sku_id=p.line.sku_id,
                quantity=p.units,
                amount=Money(amount=p.amount, currency=currency),
            )
            for _, p in portions
        ],
        history=[AfterSaleStep(status=AfterSaleStatus.REQUESTED, cause=f"asked: {body.reason}")],
    )
    session.add(aftersale)
    await session.flush()
    await outbox.add(
        session,
        AfterSaleRequested(
            aftersale_id=aftersale.id,
            order_id=order.id,
            customer_id=customer_id,
            kind=aftersale.kind,
            lines=aftersale.contract_lines(),
            amount=aftersale.amount,
            reason=aftersale.reason,
            photo_urls=aftersale.photo_urls,
            requested_at=aftersale.requested_at,
        ),
    )
    return aftersale


def _units_left(line: OrderLineRow, remaining: int) -> str:
    return f"line {line.line_no} has {remaining} of its {line.quantity} units left to ask back"


async def approve(
    session: AsyncSession, aftersale_id: UUID, by: UUID, note: str | None, provider: PaymentProvider
) -> AfterSale:
    """Approve: a refund only is refunded at once; a return waits for the goods."""
    aftersale = await _locked(session, aftersale_id)
    cause = f"approved: {note}" if note else "approved"
    await _advance(session, aftersale, AfterSaleStatus.APPROVED, cause, decided_by=by, note=note)
    await outbox.add(
        session,
        AfterSaleApproved(
            aftersale_id=aftersale.id,
            order_id=aftersale.order_id,
            customer_id=aftersale.customer_id,
            kind=aftersale.kind,
            approved_by=by,
            note=note,
            approved_at=now(),
        ),
    )
    if aftersale.kind == AfterSaleKind.REFUND_ONLY:
        await _refund(session, aftersale, provider, by, restock=False)
    return aftersale


async def reject(session: AsyncSession, aftersale_id: UUID, by: UUID, reason: str) -> AfterSale:
    """Reject with a reason; what the request claimed of its lines is released."""
    aftersale = await _locked(session, aftersale_id)
    await _advance(
        session,
        aftersale,
        AfterSaleStatus.REJECTED,
        f"rejected: {reason}",
        decided_by=by,
        note=reason,
    )
    await _release_claims(session, aftersale)
    await outbox.add(
        session,
        AfterSaleRejected(
            aftersale_id=aftersale.id,
            order_id=aftersale.order_id,
            customer_id=aftersale.customer_id,
            kind=aftersale.kind,
            rejected_by=by,
            reason=reason,
            rejected_at=now(),
        ),
    )
    return aftersale


async def withdraw(session: AsyncSession, aftersale_id: UUID, customer_id: UUID) -> AfterSale:
    """The customer takes their undecided request back; what it claimed is released."""
    aftersale = await _locked(session, aftersale_id)
    if aftersale.customer_id != customer_id:
        raise NotFound(f"No after-sales request {aftersale_id}.")
    await _advance(session, aftersale, AfterSaleStatus.WITHDRAWN, "withdrawn by the customer")
    await _release_claims(session, aftersale)
    await outbox.add(
        session,
        AfterSaleWithdrawn(
            aftersale_id=aftersale.id,
            order_id=aftersale.order_id,
            customer_id=aftersale.customer_id,
            kind=aftersale.kind,
            withdrawn_at=now(),
        ),
    )
    return aftersale


async def _release_claims(session: AsyncSession, aftersale: AfterSale) -> None:
    """Give back what the request claimed of its order's lines (it left `requested`, once)."""
    order = await session.get(Order, aftersale.order_id)
    lines = {line.line_no: line for line in order.lines}
    for line in aftersale.lines:
        await refunds.release(
            session, Portion(lines[line.line_no], line.quantity, line.amount_minor)
        )


async def receive(
    session: AsyncSession,
    aftersale_id: UUID,
    by: UUID,
    resaleable: bool,
    note: str | None,
    provider: PaymentProvider,
) -> AfterSale:
    """The returned goods are back (resaleable or not): the refund goes out now."""
    aftersale = await _locked(session, aftersale_id)
    condition = "resaleable" if resaleable else "not resaleable"
    cause = f"goods received back, {condition}" + (f": {note}" if note else "")
    await _advance(session, aftersale, AfterSaleStatus.RECEIVED, cause, resaleable=resaleable)
    await _refund(session, aftersale, provider, by, restock=resaleable)
    return aftersale


async def _refund(
    session: AsyncSession,
    aftersale: AfterSale,
    provider: PaymentProvider,
    by: UUID,
    *,
    restock: bool,
) -> None:
    order = await orders.locked(session, aftersale.order_id)
    lines = {line.line_no: line for line in order.lines}
    portions = [
        Portion(lines[line.line_no], line.quantity, line.amount_minor) for line in aftersale.lines
    ]
    refund = await refunds.give_back(
        session,
        order,
        portions if aftersale.kind == AfterSaleKind.RETURN_AND_REFUND else _no_units(portions),
        provider,
        reason=f"after-sales {aftersale.id}: {aftersale.reason}",
        by=by,
        aftersale_id=aftersale.id,
        restock=restock,
        kind=aftersale.kind,
    )
    await _advance(
        session, aftersale, AfterSaleStatus.REFUNDED, f"refunded ({refund.id})", refund_id=refund.id
    )


def _no_units(portions: list[Portion]) -> list[Portion]:
    """A refund only returns no goods: its lines refund 0 units (the claim keeps them, so
    nobody asks for the same units twice)."""
    return [Portion(p.line, 0, p.amount) for p in portions]


async def _locked(session: AsyncSession, aftersale_id: UUID) -> AfterSale:
    aftersale = await session.scalar(
        select(AfterSale)
        .where(AfterSale.id == aftersale_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if aftersale is None:
        raise NotFound(f"No after-sales request {aftersale_id}.")
    return aftersale


async def _advance(
    session: AsyncSession,
    aftersale: AfterSale,
    target: AfterSaleStatus,
    cause: str,
    *,
    decided_by: UUID | None = None,
    note: str | None = None,
    **values,
) -> None:
    """Move the request to `target` if its kind's lifecycle allows (else 409), in one
    statement that checks the state it leaves; record the step."""
    lifecycle.check(aftersale.kind, aftersale.status, target)
    if decided_by is not None:
        values.update(decided_by=decided_by, decision_note=note)
    moved = await session.execute(
        update(AfterSale)
        .where(AfterSale.id == aftersale.id, AfterSale.status == aftersale.status)
        .values(status=target, **values)
    )
    if moved.rowcount != 1:
        raise Conflict(f"After-sales request {aftersale.id} changed meanwhile; read it again.")
    aftersale.history.append(AfterSaleStep(status=target, cause=cause))
    await session.flush()


async def visible(session: AsyncSession, aftersale_id: UUID, principal) -> AfterSale:
    """The request, for its customer or staff; another customer's is "not found"."""
    aftersale = await session.get(AfterSale, aftersale_id)
    if aftersale is None or not (principal.is_staff or aftersale.customer_id == principal.user_id):
        raise NotFound(f"No after-sales request {aftersale_id}.")
    return aftersale


def filtered(statement: Select, filters: AfterSaleFilters) -> Select:
    if filters.status is not None:
        statement = statement.where(AfterSale.status == filters.status)
    if filters.order_id is not None:
        statement = statement.where(AfterSale.order_id == filters.order_id)
    return statement


def has_open_request():
    """A clause true for orders with an after-sales request still open (the order does not
    complete while it is: the refund may still reverse what completion releases)."""
    return exists().where(AfterSale.order_id == Order.id, AfterSale.status.in_(OPEN))
