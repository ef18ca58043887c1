"""A product delisted as a whole during a flash session, through the real broker and HTTP:
campaigns learns the product's SKUs from the catalog's own product events (created and
listed by the test platform's catalog), then `product.delisted` published on the broker
stops both SKUs' items (a 409 naming `body.sku_id`) while another product's SKU sells on;
`product.listed` resumes them, and the delisting delivered again stops nothing (inbox)."""

from uuid import UUID

import publishing
import pytest
from catalog_skus import (
    customer_reserving,
    held_session,
    listed_product,
    listed_with_stock,
    refused_as_delisted,
    stopped,
    taken,
)
from sqlalchemy import select

from chassis.clock import now
from chassis.events.outbox import envelope_for
from chassis.money import Money
from chassis.testing import eventually
from contracts.catalog import ProductDelisted, ProductListed, ProductUpdated, SkuPrice
from services.campaigns.flash.models import ProductSku

pytestmark = pytest.mark.asyncio


def _envelope(data):
    return envelope_for(data, source="/flywheel/catalog")


def _skus(product: dict) -> list[SkuPrice]:
    return [
        SkuPrice(
            sku_id=UUID(s["id"]),
            code=s["code"],
            attributes=s["attributes"],
            price=Money.model_validate(s["price"]),
        )
        for s in product["skus"]
    ]


def _listed(product: dict):
    return _envelope(
        ProductListed(
            product_id=UUID(product["id"]), listed_at=now(), skus=_skus(product), approved_by=None
        )
    )


def _updated(product: dict):
    return _envelope(
        ProductUpdated(
            product_id=UUID(product["id"]),
            name=product["name"],
            state="listed",
            skus=_skus(product),
            updated_at=now(),
        )
    )


async def _db_has(platform, query) -> bool:
    db = platform.servers["campaigns"].app.state.db
    async with db.session() as session:
        return bool(list(await session.scalars(query)))


async def test_a_delisted_product_stops_its_skus_and_other_products_sell_on(
    platform, operator_token
):
    product = await listed_product(platform, skus=2, on_hand=10)
    red, blue = (s["id"] for s in product["skus"])
    other = await listed_with_stock(platform, 10)
    flash = await held_session(platform, operator_token, red, blue, other)
    # The product's SKUs, as the catalog's own product events told campaigns.
    known = select(ProductSku.sku_id).where(
        ProductSku.product_id == UUID(product["id"]), ProductSku.sku_id == UUID(blue)
    )
    assert await eventually(lambda: _db_has(platform, known), within=30)

    reserve = await customer_reserving(platform, flash["id"])

    assert (await reserve(red)).status_code == 201
    delisting = _envelope(ProductDelisted(product_id=UUID(product["id"]), delisted_at=now()))
    await publishing.publish(platform, delisting)
    await eventually(lambda: stopped(platform, flash["id"], {red, blue}), within=30)
    for sku in (red, blue):
        refused_as_delisted(await reserve(sku))
    assert (await reserve(other)).status_code == 201

    # Listed again, both sell; the delisting delivered again (then a marker behind it on the
    # product's partition) stops nothing.
    await publishing.publish(platform, _listed(product))
    await eventually(lambda: stopped(platform, flash["id"], set()), within=30)
    assert (await reserve(blue)).status_code == 201
    marker = _updated(product)  # keeps the map, stops and resumes nothing
    await publishing.publish(platform, delisting, marker)
    await eventually(lambda: taken(platform, marker.id), within=30)
    assert await stopped(platform, flash["id"], set())
    assert (await reserve(red)).status_code == 201
