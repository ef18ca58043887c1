"""The referee's completed orders release referral rewards; signed-in behaviour tells which
devices a user was on (a farming signal)."""

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events.handlers import Handler, consumes
from contracts.analytics import BehaviourRecorded
from contracts.orders import OrderCompleted
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


def handlers(monthly_cap: int) -> list[Handler]:
    return [on_order_completed(monthly_cap), on_behaviour]
