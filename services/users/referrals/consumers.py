"""The referee's completed orders release referral rewards; signed-in behaviour tells which
devices a user was on, and paid orders which payer accounts they paid from (farming
signals)."""

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events.handlers import Handler, consumes
from contracts.analytics import BehaviourRecorded
from contracts.orders import OrderCompleted, OrderPaid
from services.users.referrals import service


def on_order_completed(cap: int) -> Handler:
    @consumes(OrderCompleted)
    async def on_order_completed(event: OrderCompleted, session: AsyncSession) -> None:
        await service.reward(session, event, cap)

    return on_order_completed


@consumes(BehaviourRecorded)
async def on_behaviour(event: BehaviourRecorded, session: AsyncSession) -> None:
    if event.user_id is not None and event.anonymous_id:
        await service.see_device(session, event.user_id, event.anonymous_id, event.occurred_at)


@consumes(OrderPaid)
async def on_order_paid(event: OrderPaid, session: AsyncSession) -> None:
    if event.payer_ref is not None:
        await service.see_payer(session, event.customer_id, event.payer_ref, event.paid_at)


def handlers(monthly_cap: int) -> list[Handler]:
    return [on_order_completed(monthly_cap), on_behaviour, on_order_paid]
