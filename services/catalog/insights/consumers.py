"""Handlers of the signals hot items weigh that other services own: storefront product views
(analytics) and reviews (content), rolled up as they arrive."""

from collections import Counter
from datetime import date
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.db import insert_for
from chassis.events.handlers import Handler, consumes
from contracts.analytics import Action, BehaviourRecorded
from contracts.content import ReviewPosted
from services.catalog.insights.models import ProductViews, SkuRatings
from services.catalog.products.models import Product, Sku


def _product_id(event: BehaviourRecorded) -> UUID | None:
    if event.action != Action.PRODUCT_VIEW or event.bot_signals or not event.target:
        return None
    try:
        return UUID(event.target)
    except ValueError:
        return None


@consumes(BehaviourRecorded, batch=True)
async def on_behaviour(events: list[BehaviourRecorded], session: AsyncSession) -> None:
    """A batch's product views, one upsert per product and day (the inbox has already left
    out events seen before); views of products the catalog does not know are dropped."""
    counted: Counter[tuple[UUID, date]] = Counter()
    for event in events:
        if (product_id := _product_id(event)) is not None:
            counted[(product_id, event.occurred_at.date())] += 1
    if not counted:
        return
    known = set(
        await session.scalars(
            select(Product.id).where(Product.id.in_({product for product, _ in counted}))
        )
    )
    table = ProductViews.__table__
    for (product_id, day), views in sorted(counted.items()):
        if product_id in known:
            upsert = insert_for(session, table).values(product_id=product_id, day=day, views=views)
            await session.execute(
                upsert.on_conflict_do_update(
                    index_elements=["product_id", "day"],
                    set_={"views": table.c.views + upsert.excluded.views},
                )
            )


@consumes(ReviewPosted)
async def on_review_posted(event: ReviewPosted, session: AsyncSession) -> None:
    """A review's stars join its SKU's rating, in one upsert (a SKU the catalog does not know:
    dropped)."""
    if await session.get(Sku, event.sku_id) is None:
        return
    table = SkuRatings.__table__
    upsert = insert_for(session, table).values(sku_id=event.sku_id, reviews=1, stars=event.rating)
    await session.execute(
        upsert.on_conflict_do_update(
            index_elements=["sku_id"],
            set_={"reviews": table.c.reviews + 1, "stars": table.c.stars + upsert.excluded.stars},
        )
    )


HANDLERS: list[Handler] = [on_behaviour, on_review_posted]
