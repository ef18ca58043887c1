"""Events interest tags are kept from: the labels of products and posts, and the touches
that are evidence (product and content behaviour of a signed-in person, paid orders)."""

from datetime import timedelta
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events.handlers import Handler, consumes
from contracts.analytics import Action, BehaviourRecorded
from contracts.catalog import CategoryCreated, CategoryUpdated, ProductCreated, ProductUpdated
from contracts.content import PostPublished
from contracts.orders import OrderPaid
from services.users.tags import service
from services.users.tags.rules import Source

SOURCES: dict[Action, Source | None] = {
    Action.PRODUCT_VIEW: Source.PRODUCT_VIEW,
    Action.CONTENT_VIEW: Source.CONTENT,
    Action.CONTENT_INTERACTION: Source.CONTENT,
    Action.VIEW: None,  # the first behaviour API's: a product's or a post's, as the item is
}


@consumes(ProductCreated, ProductUpdated)
async def on_product(event: ProductCreated | ProductUpdated, session: AsyncSession) -> None:
    await service.keep_product(session, event)


@consumes(CategoryCreated, CategoryUpdated)
async def on_category(event: CategoryCreated | CategoryUpdated, session: AsyncSession) -> None:
    await service.keep_category(session, event)


@consumes(PostPublished)
async def on_post(event: PostPublished, session: AsyncSession) -> None:
    await service.keep_post(session, event)


def _item(target: str | None) -> UUID | None:
    try:
        return UUID(target) if target else None
    except ValueError:
        return None


def on_behaviour(window: timedelta) -> Handler:
    @consumes(BehaviourRecorded)
    async def on_behaviour(event: BehaviourRecorded, session: AsyncSession) -> None:
        """A signed-in person's product or content behaviour; a bot's is kept by analytics
        and counted by no one."""
        item = _item(event.target)
        if event.user_id is None or event.bot_signals or event.action not in SOURCES or not item:
            return
        source = SOURCES[event.action] or await service.source_of(session, item)
        if source is None:
            return  # an item never announced: nothing to count
        await service.count_touch(
            session,
            event.user_id,
            f"behaviour:{event.behaviour_id}",
            [item],
            source,
            event.occurred_at,
            window,
        )

    return on_behaviour


def on_order_paid(window: timedelta) -> Handler:
    @consumes(OrderPaid)
    async def on_order_paid(event: OrderPaid, session: AsyncSession) -> None:
        await service.count_touch(
            session,
            event.customer_id,
            f"order:{event.order_id}",
            [line.sku_id for line in event.lines],
            Source.PAID_ORDER,
            event.paid_at,
            window,
        )

    return on_order_paid


def handlers(window: timedelta) -> list[Handler]:
    """The handlers, counting evidence for `window` (USERS_TAG_EVIDENCE_DAYS)."""
    return [on_product, on_category, on_post, on_behaviour(window), on_order_paid(window)]
