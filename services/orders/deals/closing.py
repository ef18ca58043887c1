"""A group buy that closed settles its orders: cancelled (`group_failed`), the paid ones
refunded whole.

A group order is placed while its group fills: it goes through the saga and may be paid as
any order, but is not shipped before `group.completed`. `group.failed` cancels every order
of the group, refunding the paid ones; `group.completed` does the same to the orders of
customers who are not among its members (they ordered at the group price without a seat).
Both sweep the orders by their `group_id`, each moved by the guarded status change and each
refund claimed by the guarded line update, so a redelivered event (or a second one) moves
and refunds nothing twice. Checkout locks the group's row while it places a group order, and
these update that row before they sweep: an order placed as the group closes is either
refused or swept.
"""

from uuid import UUID, uuid5

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.campaigns import GroupCompleted, GroupFailed
from contracts.orders import CancelReason
from services.orders.checkout import service as orders
from services.orders.checkout.lifecycle import UNPAID, OrderStatus
from services.orders.checkout.models import Order
from services.orders.deals.models import GroupDeal
from services.orders.deals.rules import GroupStatus
from services.orders.deals.service import known_group
from services.orders.payments.provider import PaymentProvider
from services.orders.refunds import service as refunds

SETTLED = (*UNPAID, OrderStatus.PAID)


async def group_completed(
    session: AsyncSession, event: GroupCompleted, provider: PaymentProvider
) -> int:
    """The group filled: its members' orders go on; other customers' orders of it are
    cancelled (and refunded when paid). How many were."""
    members = sorted({m.customer_id for m in event.members})
    await known_group(session, event.group_id, event.sku_id, event.group_price, event.completed_at)
    await _close(
        session,
        event.group_id,
        status=GroupStatus.COMPLETED,
        members=[str(m) for m in members],
        closed_at=event.completed_at,
    )
    strangers = select(Order.id).where(
        Order.group_id == event.group_id, Order.customer_id.not_in(members)
    )
    return await _cancel_all(session, strangers, provider, "not a member of the group buy")


async def group_failed(session: AsyncSession, event: GroupFailed, provider: PaymentProvider) -> int:
    """The group did not fill: every order of it is cancelled, the paid ones refunded
    whole. How many were."""
    await _close(session, event.group_id, status=GroupStatus.FAILED, closed_at=event.failed_at)
    of_group = select(Order.id).where(Order.group_id == event.group_id)
    return await _cancel_all(session, of_group, provider, f"the group buy failed ({event.reason})")


async def _close(session: AsyncSession, group_id: UUID, **values) -> None:
    """Close the group in the read model (its row locked until the sweep commits, so a
    checkout of it waits, then is refused)."""
    await session.execute(
        update(GroupDeal)
        .where(GroupDeal.group_id == group_id, GroupDeal.status == GroupStatus.OPEN)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


async def _cancel_all(
    session: AsyncSession, order_ids: Select, provider: PaymentProvider, detail: str
) -> int:
    cancelled = 0
    due = order_ids.where(Order.status.in_(SETTLED)).order_by(Order.id)
    for order_id in list(await session.scalars(due)):
        order = await orders.locked(session, order_id)
        if order is None or order.status not in SETTLED:
            continue  # moved meanwhile (paid orders only go on to be cancelled here)
        if order.status == OrderStatus.PAID:
            await _refund_whole(session, order, provider, detail)
        if await orders.cancel(session, order, CancelReason.GROUP_FAILED, detail, detail):
            cancelled += 1
    return cancelled


async def _refund_whole(
    session: AsyncSession, order: Order, provider: PaymentProvider, reason: str
) -> None:
    """What remains of every line (an open after-sales request keeps its claim)."""
    portions = [
        refunds.Portion(line, 0, line.paid_amount - line.claimed_refund)
        for line in order.lines
        if line.paid_amount > line.claimed_refund
    ]
    portions = [p for p in portions if await refunds.claim(session, p)]
    if portions:
        # One refund id per order: a real provider takes it as its idempotency key, so a
        # handler retried after the provider answered refunds nothing twice.
        await refunds.give_back(
            session,
            order,
            portions,
            provider,
            reason=reason,
            by=None,
            restock=True,
            refund_id=uuid5(order.id, "group-failed"),
        )
