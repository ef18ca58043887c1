"""The SKU read model from catalog's product events, on SQLite and PostgreSQL: whatever order
the events arrive in, the newest state stands (an older event never overwrites a newer one),
a price applies from its effective time, and a SKU left out of a product is no longer sold."""

from datetime import timedelta

import pytest

from chassis.clock import now
from chassis.db import Database
from chassis.ids import new_id
from chassis.money import Money
from contracts.catalog import (
    PriceChanged,
    ProductCreated,
    ProductDelisted,
    ProductListed,
    ProductUpdated,
    SkuPrice,
)
from services.orders.prices import consumers, service
from services.orders.prices.offers import Offer

pytestmark = pytest.mark.asyncio

MINUTE = timedelta(minutes=1)


def _cny(amount: int) -> Money:
    return Money(amount=amount, currency="CNY")


async def _apply(db: Database, *events) -> None:
    """Each event in its own transaction, as the consumer applies them, in this order."""
    handlers = {
        ProductCreated: consumers.on_product_described,
        ProductUpdated: consumers.on_product_described,
        PriceChanged: consumers.on_price_changed,
        ProductListed: consumers.on_product_listed,
        ProductDelisted: consumers.on_product_delisted,
    }
    for event in events:
        async with db.session() as session, session.begin():
            await handlers[type(event)](event, session)


async def _offers(db: Database, *skus) -> dict:
    async with db.session() as session:
        return await service.offers(session, skus)


def _created(product, skus, at, state="draft") -> ProductCreated:
    return ProductCreated(product_id=product, name="Tea", state=state, created_at=at, skus=skus)


def _updated(product, skus, at, state="draft") -> ProductUpdated:
    return ProductUpdated(product_id=product, name="Tea", state=state, updated_at=at, skus=skus)


async def test_listing_state_follows_the_newest_event_not_the_last_to_arrive(db):
    product, sku, t = new_id(), new_id(), now() - 10 * MINUTE
    skus = [SkuPrice(sku_id=sku, code="TEA", price=_cny(1000))]

    await _apply(
        db,
        ProductDelisted(product_id=product, delisted_at=t + 3 * MINUTE),
        _created(product, skus, t),  # created long before, arrives after the delisting
        ProductListed(product_id=product, listed_at=t + 2 * MINUTE, skus=skus, approved_by=None),
        _updated(product, skus, t + MINUTE, state="in_review"),
    )
    delisted = await _offers(db, sku)
    await _apply(db, ProductListed(product_id=product, listed_at=t + 4 * MINUTE, approved_by=None))
    relisted = await _offers(db, sku)

    assert delisted == {
        sku: Offer(
            sku_id=sku, product_id=product, present=True, listing="delisted", price=_cny(1000)
        )
    }
    assert relisted[sku].listing == "listed"
    assert relisted[sku].refusal is None


async def test_the_newest_price_stands_and_an_announced_one_waits_for_its_time(db):
    product, sku, t = new_id(), new_id(), now() - 10 * MINUTE

    def changed(old: int, new: int, at) -> PriceChanged:
        return PriceChanged(
            product_id=product,
            sku_id=sku,
            old_price=_cny(old),
            new_price=_cny(new),
            effective_at=at,
        )

    await _apply(
        db,
        _created(product, [SkuPrice(sku_id=sku, code="TEA", price=_cny(1000))], t),
        changed(1000, 900, t + 2 * MINUTE),
        # The product's details changed before the price did, but this arrives after it.
        _updated(product, [SkuPrice(sku_id=sku, code="TEA", price=_cny(1000))], t + MINUTE),
        changed(900, 700, now() + timedelta(hours=1)),  # announced for later
    )
    offer = (await _offers(db, sku))[sku]
    await _apply(db, changed(900, 800, now() - MINUTE))
    later = (await _offers(db, sku))[sku]

    assert offer.price == _cny(900)
    assert later.price == _cny(800)


async def test_a_price_change_that_arrives_before_its_product_applies_once_it_is_known(db):
    product, sku, t = new_id(), new_id(), now() - 10 * MINUTE
    await _apply(
        db,
        PriceChanged(
            product_id=product,
            sku_id=sku,
            old_price=_cny(1000),
            new_price=_cny(900),
            effective_at=t + MINUTE,
        ),
    )
    before = await _offers(db, sku)
    await _apply(db, _created(product, [SkuPrice(sku_id=sku, code="TEA", price=_cny(1000))], t))

    assert before == {}  # no product named the SKU yet: unknown, so refused
    assert (await _offers(db, sku))[sku].price == _cny(900)


async def test_a_sku_left_out_of_a_newer_event_is_no_longer_sold(db):
    product, kept, dropped, t = new_id(), new_id(), new_id(), now() - 10 * MINUTE
    both = [
        SkuPrice(sku_id=kept, code="RED", price=_cny(1000)),
        SkuPrice(sku_id=dropped, code="BLUE", price=_cny(1000)),
    ]

    await _apply(
        db,
        _created(product, both, t, state="listed"),
        _updated(product, both[:1], t + 2 * MINUTE, state="listed"),
        # Listed in between, naming both: older than the update that dropped one.
        ProductListed(product_id=product, listed_at=t + MINUTE, skus=both, approved_by=None),
    )
    offers = await _offers(db, kept, dropped)

    assert offers[kept].refusal is None
    assert offers[dropped].present is False
    assert offers[dropped].refusal == f"{dropped} is no longer one of its product's SKUs"
