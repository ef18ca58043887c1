"""Order events group buys keep: which order each member placed for their group."""

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events.handlers import consumes
from contracts.orders import OrderPlaced
from services.campaigns.groups import service


@consumes(OrderPlaced)
async def on_order_placed(event: OrderPlaced, session: AsyncSession) -> None:
    if event.attribution.group_id is not None:
        await service.link_order(session, event)
