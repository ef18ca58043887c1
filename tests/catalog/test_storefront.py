"""The storefront's list and suggestions over real HTTP: public, listed products only,
cacheable (ETag, Cache-Control, 304), bad parameters named."""

import pytest

from chassis.ids import new_id

PRODUCTS = "/api/v1/catalog/products"


@pytest.fixture(scope="module")
async def listed(platform) -> dict:
    """A listed product whose name no other test uses."""
    (_, submitter), (_, reviewer) = [await platform.staff("operator") for _ in range(2)]
    word = f"zq{new_id().hex[-8:]}"
    async with platform.client("catalog", submitter) as catalog:
        product = (
            await catalog.post(
                PRODUCTS,
                json={
                    "name": f"保温杯 {word}",
                    "keywords": [word],
                    "media": ["https://img.example.com/1.jpg"],
                    "price": {"amount": 4900, "currency": "CNY"},
                },
            )
        ).json()
        draft = (
            await catalog.post(
                PRODUCTS, json={"name": f"draft {word}", "price": {"amount": 1, "currency": "CNY"}}
            )
        ).json()
        await catalog.post(f"{PRODUCTS}/{product['id']}/submit")
    async with platform.client("catalog", reviewer) as catalog:
        await catalog.post(f"{PRODUCTS}/{product['id']}/approve")
    return {"id": product["id"], "word": word, "draft": draft["id"]}


async def test_anyone_browses_listed_products_with_caching_headers(platform, listed):
    async with platform.client("catalog") as storefront:
        first = await storefront.get(PRODUCTS, params={"q": listed["word"]})
        again = await storefront.get(
            PRODUCTS, params={"q": listed["word"]}, headers={"If-None-Match": first.headers["etag"]}
        )
    assert first.status_code == 200
    (card,) = first.json()["items"]
    assert (card["id"], card["image"], card["in_stock"]) == (
        listed["id"],
        "https://img.example.com/1.jpg",
        False,
    )
    assert first.json()["next_cursor"] is None
    assert first.headers["cache-control"] == "public, max-age=30"
    assert again.status_code == 304
    assert again.headers["etag"] == first.headers["etag"]
    assert again.content == b""


async def test_suggestions_are_public(platform, listed):
    async with platform.client("catalog") as storefront:
        response = await storefront.get("/api/v1/catalog/suggest", params={"q": "bwb"})
        by_word = await storefront.get("/api/v1/catalog/suggest", params={"q": listed["word"][:6]})
    assert response.status_code == 200
    assert "保温杯" in response.json()["items"]
    assert listed["word"] in by_word.json()["items"]
    assert "etag" in response.headers


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"sort": "popular"}, "query.sort"),
        ({"min_price": -1}, "query.min_price"),
        ({"min_price": 500, "max_price": 100}, "query.min_price"),
        ({"category": "nope"}, "query.category"),
        ({"category": str(new_id())}, "query.category"),
        ({"cursor": "garbage!"}, "query.cursor"),
        ({"limit": 0}, "query.limit"),
        ({"in_stock": "maybe"}, "query.in_stock"),
    ],
)
async def test_bad_parameters_are_422_naming_them(platform, params, field):
    async with platform.client("catalog") as storefront:
        response = await storefront.get(PRODUCTS, params=params)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]


async def test_suggest_needs_a_prefix(platform):
    async with platform.client("catalog") as storefront:
        response = await storefront.get("/api/v1/catalog/suggest")
    assert response.status_code == 422


async def test_operators_manage_synonyms_that_search_applies(platform, listed):
    _, operator = await platform.staff("operator")
    _, customer = await platform.customer()
    other = f"zs{new_id().hex[-8:]}"
    synonyms = "/api/v1/catalog/search/synonyms"
    async with (
        platform.client("catalog", operator) as catalog,
        platform.client("catalog") as storefront,
        platform.client("catalog", customer) as theirs,
    ):
        before = await storefront.get(PRODUCTS, params={"q": other})
        added = await catalog.post(synonyms, json={"terms": [other.upper(), listed["word"]]})
        found = await storefront.get(PRODUCTS, params={"q": other})
        taken = await catalog.post(synonyms, json={"terms": [listed["word"], "zz-other"]})
        one = await catalog.post(synonyms, json={"terms": [other]})
        forbidden = await theirs.post(synonyms, json={"terms": ["a", "b"]})
        groups = (await catalog.get(synonyms)).json()["items"]
        removed = await catalog.delete(f"{synonyms}/{added.json()['id']}")
        again = await catalog.delete(f"{synonyms}/{added.json()['id']}")
        after = await storefront.get(PRODUCTS, params={"q": other})
    assert before.json()["items"] == []
    assert added.status_code == 201, added.text
    assert added.json()["terms"] == sorted([other, listed["word"]])  # normalized: lower case
    assert [p["id"] for p in found.json()["items"]] == [listed["id"]]
    assert taken.status_code == 409
    assert one.status_code == 422
    assert [e["field"] for e in one.json()["errors"]] == ["body.terms"]
    assert forbidden.status_code == 403
    assert added.json()["id"] in [g["id"] for g in groups]
    assert (removed.status_code, again.status_code) == (204, 404)
    assert after.json()["items"] == []
