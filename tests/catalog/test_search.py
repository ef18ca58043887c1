"""Browse and search against both index backends (SQLite FTS5, PostgreSQL full text with
trigram fallback): Chinese segmentation, traditional characters, filters, sorts, pages,
suggestions, and the search that found nothing."""

import products_db
import pytest
from sqlalchemy import func, select, update

from chassis.events.tables import outbox
from chassis.http.problems import Conflict, InvalidInput, NotFound
from chassis.ids import new_id
from chassis.money import Price
from chassis.pagination import PageRequest
from services.catalog.categories import service as categories
from services.catalog.categories.schemas import CategoryCreate
from services.catalog.products import service as products
from services.catalog.products.listing import ListingAction
from services.catalog.products.models import Product
from services.catalog.products.schemas import ProductCreate, SkuIn
from services.catalog.search import service as search
from services.catalog.search.schemas import BrowseQuery, Sort


@pytest.fixture
async def shop(db):
    """A small assortment: home > cups, and tea; listed products but one draft."""
    async with db.session() as session:
        home = await categories.create(session, CategoryCreate(name="家居", role="core"), new_id())
        cups = await categories.create(
            session, CategoryCreate(name="杯具", role="advantage", parent_id=home.id), new_id()
        )
        tea = await categories.create(
            session, CategoryCreate(name="茶", role="potential"), new_id()
        )
    ids = {}
    for key, name, brand, category, price, stock, listed in [
        ("vacuum", "不锈钢真空保温杯", "Thermos", cups.id, 8900, 10, True),
        ("kids", "儿童保温杯 Kids bottle", "Zojirushi", cups.id, 12900, 0, True),
        ("mug", "Ceramic coffee mug", "Muji", cups.id, 3900, 5, True),
        ("longjing", "西湖龙井 Longjing green tea", "Lion", tea.id, 25800, 3, True),
        ("draft", "保温杯 draft", "Thermos", cups.id, 100, 5, False),
    ]:
        ids[key] = await _product(db, name, brand, category, price, stock, listed)
    return db, ids, {"home": home.id, "cups": cups.id, "tea": tea.id}


async def _product(db, name, brand, category_id, amount, stock, listed):
    body = ProductCreate(
        name=name,
        brand=brand,
        category_id=category_id,
        keywords=["水杯"] if "杯" in name else [],
        skus=[
            SkuIn(code=f"S-{new_id().hex}", price=Price(amount=amount, currency="CNY"), stock=stock)
        ],
    )
    return (await products_db.create(db, body, listed=listed)).product_id


async def _find(db, page=PageRequest(limit=20), **query):
    async with db.session() as session:
        found = await search.browse(session, BrowseQuery(**query), page)
    return [p.id for p in found.products], found.next_cursor


async def test_chinese_words_find_longer_names_and_traditional_matches_simplified(shop):
    db, ids, _ = shop
    found, _ = await _find(db, q="保温杯")
    assert set(found) == {ids["vacuum"], ids["kids"]}  # not the draft
    assert set((await _find(db, q="保溫杯"))[0]) == set(found)
    assert (await _find(db, q="不锈钢 保温杯"))[0] == [ids["vacuum"]]
    assert (await _find(db, q="LONGJING"))[0] == [ids["longjing"]]
    assert (await _find(db, q="龙井"))[0] == [ids["longjing"]]


async def test_filters_category_subtree_brand_price_and_stock(shop):
    db, ids, cats = shop
    assert set((await _find(db, category=cats["home"]))[0]) == {
        ids["vacuum"],
        ids["kids"],
        ids["mug"],
    }
    assert (await _find(db, category=cats["tea"]))[0] == [ids["longjing"]]
    assert (await _find(db, brand="thermos"))[0] == [ids["vacuum"]]
    assert set((await _find(db, min_price=5000, max_price=20000))[0]) == {
        ids["vacuum"],
        ids["kids"],
    }
    in_stock = (await _find(db, q="保温杯", in_stock=True))[0]
    assert in_stock == [ids["vacuum"]]  # the kids' bottle is sold out: hidden by the filter


async def test_sorts_and_pages_neither_skip_nor_repeat(shop):
    db, ids, _ = shop
    listed = [ids[k] for k in ("vacuum", "kids", "mug", "longjing")]
    assert (await _find(db))[0] == listed[::-1]  # newest first
    cheapest = (await _find(db, sort=Sort.PRICE_ASC))[0]
    assert cheapest == [ids["mug"], ids["vacuum"], ids["kids"], ids["longjing"]]
    assert (await _find(db, sort=Sort.PRICE_DESC))[0] == cheapest[::-1]
    async with db.session() as session, session.begin():
        for key, sold in (("mug", 7), ("longjing", 7), ("kids", 30)):
            await session.execute(
                update(Product).where(Product.id == ids[key]).values(units_sold=sold)
            )
    best = (await _find(db, sort=Sort.SALES))[0]
    assert best[0] == ids["kids"]
    assert set(best[1:3]) == {ids["mug"], ids["longjing"]}  # a tie, in id order
    assert best[3] == ids["vacuum"]
    for sort in (Sort.PRICE_ASC, Sort.NEWEST, Sort.RELEVANCE, Sort.SALES):
        walked, cursor = [], None
        while True:
            page, cursor = await _find(
                db,
                PageRequest(limit=1, cursor=cursor),
                sort=sort,
                q="杯" if sort == "relevance" else None,
            )
            walked += page
            if cursor is None:
                break
        expected = (await _find(db, sort=sort, q="杯" if sort == "relevance" else None))[0]
        assert walked == expected
        assert len(walked) == len(set(walked))


async def test_a_search_that_finds_nothing_is_published(shop):
    db, _, _ = shop
    assert (await _find(db, q="无人机 drone"))[0] == []
    async with db.session() as session:
        missed = await session.scalar(
            select(func.count())
            .select_from(outbox)
            .where(outbox.c.type == "flywheel.catalog.search.missed.v1")
        )
    assert missed == 1


async def test_suggestions_by_prefix_pinyin_and_initials(shop):
    db, _, _ = shop
    async with db.session() as session:
        for typed in ("保温", "baowenbei", "bwb", "保溫"):
            assert "保温杯" in await search.suggest(session, typed)
        assert "保温杯 draft" not in await search.suggest(session, "保温")
        assert await search.suggest(session, "zzz") == []


async def test_a_delisted_product_leaves_the_index(shop):
    db, ids, _ = shop
    async with db.session() as session:
        await products.review(session, ids["longjing"], ListingAction.DELIST, new_id())
    assert (await _find(db, q="龙井"))[0] == []
    async with db.session() as session:
        assert await search.suggest(session, "longjing") == []


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_a_typo_finds_the_closest_by_trigrams_on_postgres(shop):
    db, ids, _ = shop
    assert (await _find(db, q="thermas"))[0] == [ids["vacuum"]]
    assert (await _find(db, q="ceramik mug"))[0] == [ids["mug"]]


async def test_synonyms_apply_at_query_time_both_ways_until_removed(shop):
    db, _, _ = shop
    phone = await _product(db, "华为 移动电话 Mate", "Huawei", None, 399900, 5, True)
    case = await _product(db, "手机壳 透明", "Muji", None, 1900, 5, True)
    assert (await _find(db, q="手机"))[0] == [case]
    async with db.session() as session:
        group, terms = await search.add_synonyms(session, ["手机", "移動電話", "手机"], new_id())
    assert terms == ["手机", "移动电话"]  # normalized, once each
    assert set((await _find(db, q="手机"))[0]) == {phone, case}
    assert set((await _find(db, q="移动电话"))[0]) == {phone, case}
    assert (await _find(db, q="华为 手机"))[0] == [phone]  # every word still counts
    assert (await _find(db, q="手机 透明"))[0] == [case]
    async with db.session() as session:
        with pytest.raises(Conflict, match="移动电话"):
            await search.add_synonyms(session, ["电话", "移动电话"], new_id())
        with pytest.raises(InvalidInput, match=r"body\.terms"):
            await search.add_synonyms(session, ["手机", "手機"], new_id())
        await search.remove_synonyms(session, group.id)
        with pytest.raises(NotFound):
            await search.remove_synonyms(session, group.id)
    assert (await _find(db, q="手机"))[0] == [case]
