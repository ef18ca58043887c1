"""The saga's steps: record a participant's answer and act on it; cancel orders left unpaid.

Each step is idempotent: a redelivered event is stopped by the inbox, a second answer from
one participant by the answer's primary key, and a decision already taken by the status the
order left (every move checks it in the same statement).
"""

import logging
from datetime import timedelta
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.db import Database, insert_if_absent
from chassis.events import outbox
from contracts.orders import CancelReason, OrderAwaitingPayment
from services.orders.checkout import service as orders
from services.orders.checkout.lifecycle import OrderStatus
from services.orders.saga.coordinator import Answer, Cancel, Participant, Proceed, decide, needed
from services.orders.saga.models import SagaAnswer

log = logging.getLogger(__name__)
SWEEP_BATCH = 100


async def answer(
    session: AsyncSession,
    order_id: UUID,
    participant: Participant,
    reply: Answer,
    *,
    cause: str,
    payment_window: timedelta,
) -> None:
    """Record `participant`'s reply about the order and take the decision it completes."""
    order = await orders.locked(session, order_id)
    if order is None:
        log.warning("%s answered about an unknown order %s", participant, order_id)
        return
    first = await insert_if_absent(
        session,
        SagaAnswer.__table__,
        order_id=order_id,
        participant=participant,
        accepted=reply.accepted,
        detail=reply.detail,
        answered_at=now(),
    )
    if not first:
        return  # this participant answered already: its first answer stands
    if order.status != OrderStatus.PLACED:
        return  # decided already (a refusal, the customer): participants release on cancel
    rows = await session.scalars(select(SagaAnswer).where(SagaAnswer.order_id == order_id))
    answers = {row.participant: Answer(row.accepted, row.detail) for row in rows}
    match decide(needed(order.attributed, order.points), answers):
        case Proceed():
            expires_at = now() + payment_window
            moved = await orders.advance(
                session,
                order,
                OrderStatus.AWAITING_PAYMENT,
                f"{cause}; every participant agreed",
                payment_expires_at=expires_at,
            )
            if moved:
                await outbox.add(
                    session,
                    OrderAwaitingPayment(
                        order_id=order.id,
                        customer_id=order.customer_id,
                        amount=order.total,
                        expires_at=expires_at,
                    ),
                )
        case Cancel(reason=reason, detail=detail):
            await orders.cancel(session, order, reason, detail, cause)


async def expire_unpaid(db: Database) -> int:
    """Cancel (payment_timeout) the orders whose payment window has closed, a batch at a
    time; returns how many it cancelled. Safe with several replicas: rows are claimed SKIP
    LOCKED, and the cancel checks the status it leaves."""
    async with db.session() as session, session.begin():
        claimed = orders.expired(now()).limit(SWEEP_BATCH).with_for_update(skip_locked=True)
        moved = [
            await orders.cancel(
                session,
                order,
                CancelReason.PAYMENT_TIMEOUT,
                None,
                "unpaid when its payment window closed",
            )
            for order in list(await session.scalars(claimed))
        ]
    return sum(moved)
