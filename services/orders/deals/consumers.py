"""Campaigns' group-buy and bargain events orders keeps: the deals an order may take, and
the closing of a group, which settles its orders. Built per service instance, because a
failed group's paid orders are refunded through the instance's payment provider."""

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events.handlers import Handler, consumes
from contracts.campaigns import BargainCompleted, GroupCompleted, GroupFailed, GroupOpened
from services.orders.deals import closing, service
from services.orders.payments.provider import PaymentProvider


def deal_handlers(provider: PaymentProvider) -> list[Handler]:
    @consumes(GroupOpened)
    async def on_group_opened(event: GroupOpened, session: AsyncSession) -> None:
        await service.group_opened(session, event)

    @consumes(GroupCompleted)
    async def on_group_completed(event: GroupCompleted, session: AsyncSession) -> None:
        await closing.group_completed(session, event, provider)

    @consumes(GroupFailed)
    async def on_group_failed(event: GroupFailed, session: AsyncSession) -> None:
        await closing.group_failed(session, event, provider)

    @consumes(BargainCompleted)
    async def on_bargain_completed(event: BargainCompleted, session: AsyncSession) -> None:
        await service.bargain_completed(session, event)

    return [on_group_opened, on_group_completed, on_group_failed, on_bargain_completed]
