"""Events posts consume: the catalog's products, which posts may link to."""

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events.handlers import consumes
from contracts.catalog import ProductCreated
from services.content.posts.models import LinkedProduct


@consumes(ProductCreated)
async def on_product_created(event: ProductCreated, session: AsyncSession) -> None:
    await session.merge(LinkedProduct(product_id=event.product_id, name=event.name))
