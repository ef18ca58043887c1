"""Events the content service consumes."""

from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events.handlers import consumes
from contracts.catalog import ProductCreated
from services.content.models import LinkedProduct


@consumes(ProductCreated)
async def on_product_created(event: ProductCreated, session: AsyncSession) -> None:
    """Learn which products articles may link to."""
    await session.merge(LinkedProduct(product_id=event.product_id, name=event.name))
