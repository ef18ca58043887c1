"""Products made on a catalog database by the service's own operations, listed through the
review's four eyes (one operator submits, another approves), for the catalog's database tests
(imported as `products_db`)."""

from typing import NamedTuple
from uuid import UUID

from chassis.db import Database
from chassis.ids import new_id
from services.catalog.products import service as products
from services.catalog.products.listing import ListingAction
from services.catalog.products.schemas import ProductCreate

MIN_MARGIN_BPS = 1000  # the service's default guard: 10% over cost


class Created(NamedTuple):
    product_id: UUID
    sku_ids: list[UUID]  # in the body's order


async def create(db: Database, body: ProductCreate, *, listed: bool = True) -> Created:
    """`body` created as a draft by one operator and, if `listed`, submitted by them and
    approved by another."""
    submitter = new_id()
    async with db.session() as session:
        product = await products.create(session, body, submitter, MIN_MARGIN_BPS)
        created = Created(product.id, [sku.id for sku in product.skus])
        if listed:
            await products.review(session, product.id, ListingAction.SUBMIT, submitter)
            await products.review(session, product.id, ListingAction.APPROVE, new_id())
    return created
