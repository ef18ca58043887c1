"""Order events bargains keep: the starter's order at the floor price takes the bargain."""

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events.handlers import consumes
from contracts.orders import OrderPlaced
from services.campaigns.bargains import service


@consumes(OrderPlaced)
async def on_order_placed(event: OrderPlaced, session: AsyncSession) -> None:
    if event.attribution.bargain_id is not None:
        await service.record_order(session, event)
