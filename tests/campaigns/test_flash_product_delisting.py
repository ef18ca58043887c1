"""A product delisted as a whole stops its SKUs' flash items, on both backends: the product's
SKUs come from catalog's product created / updated / listed events (a SKU an update leaves
out no longer belongs to it), the delisting stops them in sessions still selling (not an
ended one), and the listing resumes those it says are on sale. A SKU delisted by itself
stays stopped when its product is listed again, and one relisted by itself while its
product is delisted stays stopped until the product is listed."""

from sqlalchemy import select, update

from chassis.clock import now
from chassis.ids import new_id
from chassis.money import Money
from contracts.catalog import (
    ProductCreated,
    ProductDelisted,
    ProductListed,
    ProductUpdated,
    SkuListingChanged,
    SkuPrice,
)
from services.campaigns.flash import listing, service
from services.campaigns.flash.lifecycle import SessionState
from services.campaigns.flash.models import FlashItem, FlashSession
from services.campaigns.flash.schemas import SessionRequest
from services.campaigns.flash.stock import DatabaseStock

STOCK = DatabaseStock()


def _sku(sku_id, listed: bool = True) -> SkuPrice:
    return SkuPrice(
        sku_id=sku_id,
        code=f"SKU-{sku_id.hex[-6:]}",
        price=Money(amount=150_00, currency="CNY"),
        listed=listed,
    )


def _sku_change(sku_id, product_id, listed: bool) -> SkuListingChanged:
    return SkuListingChanged(
        sku_id=sku_id, product_id=product_id, listed=listed, by=new_id(), at=now()
    )


async def _session(db, *skus):
    body = SessionRequest(
        name="20:00 秒杀",
        starts_at=now(),
        ends_at=now().replace(year=now().year + 1),
        items=[
            {
                "sku_id": sku,
                "flash_price": {"amount": 9_90, "currency": "CNY"},
                "stock": 5,
                "per_user_limit": 1,
            }
            for sku in skus
        ],
    )
    async with db.session() as session:
        return await service.create_session(session, body, new_id(), STOCK)


async def _take(db, step, event) -> int:
    async with db.session() as session, session.begin():
        return await step(session, event)


async def _stopped(db, session_id) -> set:
    async with db.session() as session:
        items = await session.scalars(select(FlashItem).where(FlashItem.session_id == session_id))
        return {i.sku_id for i in items if i.stopped_at is not None}


async def test_a_product_delisted_stops_its_skus_items_and_listed_resumes_them(campaigns_db):
    product, red, blue, gone, other = (new_id() for _ in range(5))
    created = ProductCreated(
        product_id=product,
        name="龙井",
        state="draft",
        created_at=now(),
        skus=[_sku(red), _sku(blue), _sku(gone)],
    )
    await _take(campaigns_db, listing.skus_changed, created)
    updated = ProductUpdated(  # `gone` is no longer one of its SKUs
        product_id=product,
        name="龙井",
        state="draft",
        skus=[_sku(red), _sku(blue)],
        updated_at=now(),
    )
    await _take(campaigns_db, listing.skus_changed, updated)
    flash = await _session(campaigns_db, red, blue, gone, other)
    ended = await _session(campaigns_db, red)
    async with campaigns_db.session() as session, session.begin():
        await session.execute(
            update(FlashSession).where(FlashSession.id == ended.id).values(state=SessionState.ENDED)
        )

    delisted = ProductDelisted(product_id=product, delisted_at=now())
    assert await _take(campaigns_db, listing.product_delisted, delisted) == 2
    assert await _stopped(campaigns_db, flash.id) == {red, blue}
    assert await _stopped(campaigns_db, ended.id) == set()  # over: nothing to stop
    assert await _take(campaigns_db, listing.product_delisted, delisted) == 0  # guarded

    # Blue relisted by itself while its product is delisted: still stopped.
    blue_back = _sku_change(blue, product, listed=True)
    assert await _take(campaigns_db, listing.listing_changed, blue_back) == 0
    assert await _stopped(campaigns_db, flash.id) == {red, blue}

    # Listed again with red delisted by itself: blue sells, red stays stopped.
    relisted = ProductListed(
        product_id=product,
        listed_at=now(),
        skus=[_sku(red, listed=False), _sku(blue)],
        approved_by=None,
    )
    assert await _take(campaigns_db, listing.product_listed, relisted) == 1
    assert await _stopped(campaigns_db, flash.id) == {red}
    assert await _take(campaigns_db, listing.product_listed, relisted) == 0

    # Red relisted by itself once its product is listed: it sells again.
    red_back = _sku_change(red, product, listed=True)
    assert await _take(campaigns_db, listing.listing_changed, red_back) == 1
    assert await _stopped(campaigns_db, flash.id) == set()


async def test_a_product_catalog_never_announced_stops_nothing(campaigns_db):
    sku = new_id()
    flash = await _session(campaigns_db, sku)
    unknown = ProductDelisted(product_id=new_id(), delisted_at=now())
    assert await _take(campaigns_db, listing.product_delisted, unknown) == 0
    assert await _stopped(campaigns_db, flash.id) == set()
