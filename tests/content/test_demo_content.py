"""The demo content of `make run` loads against the content service and shows up where a
storefront looks: guides in Chinese and English, an upcoming live session, reviews, a call."""

import pytest

from deploy.local.demo_content import seed_content

pytestmark = pytest.mark.asyncio


async def test_the_demo_content_loads_and_is_published(platform, operator_token, operator):
    async with platform.client("catalog", operator_token) as catalog:
        products = [
            (await catalog.post("/api/v1/catalog/products", json={"name": f"Demo {n}"})).json()[
                "id"
            ]
            for n in range(5)
        ]
    (_, mei), (_, tom) = await platform.customer(), await platform.customer()
    headers = [{"Authorization": f"Bearer {t}"} for t in (operator, mei, tom)]
    async with platform.client("content") as content:
        await seed_content(content, headers[0], headers[1:], products)
        page = await content.get(f"/api/v1/content/feeds/products/{products[3]}")
        titles = [i["post"]["title"] for i in page.json()["items"]]
        live = (await content.get("/api/v1/content/feeds/live")).json()
        reviews = await content.get("/api/v1/content/reviews", params={"sku_id": products[0]})
        calls = (await content.get("/api/v1/content/calls", params={"limit": 100})).json()
    assert titles == ["小户型也能有的茶角落"]
    assert "Longjing tasting live" in " ".join(p["title"] for p in live["upcoming"])
    assert sorted(r["rating"] for r in reviews.json()["items"]) == [4, 5]
    assert not any(r["verified"] for r in reviews.json()["items"])  # nobody has paid yet
    assert "My summer tea outfit" in " ".join(c["title"] for c in calls["items"])
