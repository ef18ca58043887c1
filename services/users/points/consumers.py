"""The order saga's users side: order events move points (see `service`); and the points
rewards of content calls won."""

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events.handlers import Handler, consumes
from contracts.content import CallWinnerChosen
from contracts.orders import OrderCancelled, OrderCompleted, OrderPaid, OrderPlaced, RefundCompleted
from services.users.points import service


@consumes(OrderPlaced)
async def on_order_placed(event: OrderPlaced, session: AsyncSession) -> None:
    await service.hold(session, event)


@consumes(OrderCancelled)
async def on_order_cancelled(event: OrderCancelled, session: AsyncSession) -> None:
    await service.release(session, event)


@consumes(OrderCompleted)
async def on_order_completed(event: OrderCompleted, session: AsyncSession) -> None:
    await service.unfreeze(session, event)


@consumes(RefundCompleted)
async def on_refund_completed(event: RefundCompleted, session: AsyncSession) -> None:
    await service.reverse(session, event)


@consumes(CallWinnerChosen)
async def on_call_winner_chosen(event: CallWinnerChosen, session: AsyncSession) -> None:
    await service.credit_call_winner(session, event)


def on_order_paid(points_per_unit: int) -> Handler:
    """Take what the order held, and earn on what it paid at the configured rate."""

    @consumes(OrderPaid)
    async def on_order_paid(event: OrderPaid, session: AsyncSession) -> None:
        await service.take(session, event)
        await service.earn(session, event, points_per_unit)

    return on_order_paid


def handlers(points_per_unit: int) -> list[Handler]:
    return [
        on_order_placed,
        on_order_paid(points_per_unit),
        on_order_cancelled,
        on_order_completed,
        on_refund_completed,
        on_call_winner_chosen,
    ]
