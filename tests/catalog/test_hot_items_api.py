"""Hot items over real HTTP: the ranking with its figures from sales the saga confirmed,
featuring SKUs (once, with `sku.featured_changed` through the broker) and the storefront's
`featured` filter."""

from datetime import timedelta
from uuid import UUID

import publishing

from chassis.clock import now
from chassis.db import Database
from chassis.events.outbox import envelope_for
from chassis.ids import new_id
from chassis.testing import eventually
from contracts.analytics import Action, BehaviourRecorded, BotSignal
from contracts.content import ReviewPosted
from services.catalog.inventory import service as inventory

PRODUCTS = "/api/v1/catalog/products"
INSIGHTS = "/api/v1/catalog/insights"
FEATURED_CHANGED = "flywheel.catalog.sku.featured_changed.v1"


async def _listed(platform, operators, category_id=None) -> dict:
    """A listed product with two SKUs (red: margin 60%, blue: no cost) in `category_id`."""
    submitter, reviewer = operators
    body = {
        "name": f"爆款保温杯 {new_id().hex[-6:]}",
        "category_id": category_id,
        "attributes": {"颜色": ["红", "蓝"]},
        "skus": [
            {
                "code": f"H-{new_id().hex}",
                "attributes": {"颜色": "红"},
                "price": {"amount": 10000, "currency": "CNY"},
                "cost": {"amount": 4000, "currency": "CNY"},
                "stock": 100,
            },
            {
                "code": f"H-{new_id().hex}",
                "attributes": {"颜色": "蓝"},
                "price": {"amount": 10000, "currency": "CNY"},
                "stock": 100,
            },
        ],
    }
    async with (
        platform.client("catalog", submitter) as mine,
        platform.client("catalog", reviewer) as theirs,
    ):
        product = (await mine.post(PRODUCTS, json=body)).json()
        await mine.post(f"{PRODUCTS}/{product['id']}/submit")
        approved = await theirs.post(f"{PRODUCTS}/{product['id']}/approve")
    assert approved.json()["state"] == "listed"
    return product


async def _orders(platform, sku_id, quantities, *, paid: bool) -> None:
    """Orders of the SKU as the order saga records them: reserved, then paid or cancelled."""
    db = Database(platform.database_url("catalog"), service="test")
    try:
        for quantity in quantities:
            order_id = new_id()
            async with db.session() as session, session.begin():
                await inventory.reserve(session, order_id, [(sku_id, quantity)], timedelta(hours=1))
            async with db.session() as session, session.begin():
                if paid:
                    await inventory.confirm(session, order_id)
                else:
                    await inventory.release(session, order_id, expired=False)
    finally:
        await db.dispose()


async def test_hot_items_rank_skus_with_the_figures_behind_the_score(platform, operators):
    async with platform.client("catalog", operators[0]) as catalog:
        category = (
            await catalog.post(
                "/api/v1/catalog/categories",
                json={"name": f"杯 {new_id().hex}", "role": "potential"},
            )
        ).json()["id"]
    product = await _listed(platform, operators, category)
    red, blue = (UUID(sku["id"]) for sku in product["skus"])
    await _orders(platform, red, [3, 3, 4], paid=True)  # 10 sold
    await _orders(platform, blue, [6], paid=True)
    await _orders(platform, blue, [5, 5], paid=False)  # ordered, never paid
    async with platform.client("catalog", operators[0]) as catalog:
        ranked = await catalog.get(f"{INSIGHTS}/hot-items", params={"category": category})
        unknown = await catalog.get(f"{INSIGHTS}/hot-items", params={"category": str(new_id())})
    assert ranked.status_code == 200, ranked.text
    first, second = ranked.json()
    assert (first["sku_id"], second["sku_id"]) == (str(red), str(blue))
    assert first["figures"] == {
        "sold_30d": 10,
        "sold_7d": 10,
        "velocity_per_day": 0.3333,
        "momentum": 1.0,
        "ordered_30d": 10,
        "paid_30d": 10,
        "conversion": 0.9167,  # (10 + 1) / (10 + 2)
        "margin_bps": 6000,
        "views": 0,
        "attention": 0.0,
        "reviews": 0,
        "rating": None,
        "rating_score": 0.5,
    }
    assert first["score"] == round(0.35 + 0.10 + 0.20 * 11 / 12 + 0.10 * 0.6 + 0.15 * 0.5, 4)
    assert (first["available"], first["featured"]) == (90, False)
    figures = second["figures"]
    assert (figures["sold_30d"], figures["ordered_30d"], figures["paid_30d"]) == (6, 16, 6)
    assert figures["margin_bps"] is None
    assert second["score"] == round(0.35 * 0.6 + 0.10 + 0.20 * 7 / 18 + 0.15 * 0.5, 4)
    assert unknown.status_code == 422
    assert [e["field"] for e in unknown.json()["errors"]] == ["query.category"]


async def test_featuring_a_sku_once_and_browsing_featured(platform, operators, operator_token):
    featured_product = await _listed(platform, operators)
    other = await _listed(platform, operators)
    sku = featured_product["skus"][1]["id"]
    async with platform.client("catalog", operators[0]) as catalog:
        marked = await catalog.put(f"{INSIGHTS}/featured/{sku}", json={"note": "双十二主推"})
        again = await catalog.put(f"{INSIGHTS}/featured/{sku}")
    async with platform.client("catalog") as storefront:
        browsed = await storefront.get(PRODUCTS, params={"featured": "true", "limit": 100})
        everything = await storefront.get(PRODUCTS, params={"limit": 100})
    assert marked.status_code == 200, marked.text
    assert (marked.json()["featured"], marked.json()["note"]) == (True, "双十二主推")
    assert again.json()["featured_at"] == marked.json()["featured_at"]
    ids = [p["id"] for p in browsed.json()["items"]]
    assert featured_product["id"] in ids
    assert other["id"] not in ids
    assert other["id"] in [p["id"] for p in everything.json()["items"]]

    async with platform.client("catalog", operators[1]) as catalog:
        dropped = await catalog.delete(f"{INSIGHTS}/featured/{sku}")
        dropped_again = await catalog.delete(f"{INSIGHTS}/featured/{sku}")
    async with platform.client("catalog") as storefront:
        after = await storefront.get(PRODUCTS, params={"featured": "true", "limit": 100})
    assert (dropped.json()["featured"], dropped_again.status_code) == (False, 200)
    assert featured_product["id"] not in [p["id"] for p in after.json()["items"]]

    async def published():
        async with platform.client("analytics", operator_token) as analytics:
            response = await analytics.get(
                "/api/v1/analytics/events", params={"type": FEATURED_CHANGED, "subject": sku}
            )
        items = response.json()["items"]
        return items if len(items) >= 2 else None

    events = sorted(await eventually(published, within=60), key=lambda e: e["time"])
    assert [e["data"]["featured"] for e in events] == [True, False]  # once each, not per call
    assert events[0]["data"]["product_id"] == featured_product["id"]


async def test_unknown_skus_are_404_and_customers_are_refused(platform, operators):
    _, customer = await platform.customer()
    async with platform.client("catalog", operators[0]) as catalog:
        unknown = await catalog.put(f"{INSIGHTS}/featured/{new_id()}")
    async with platform.client("catalog", customer) as catalog:
        refused = [
            await catalog.get(f"{INSIGHTS}/hot-items"),
            await catalog.put(f"{INSIGHTS}/featured/{new_id()}"),
        ]
    assert unknown.status_code == 404
    assert [r.status_code for r in refused] == [403, 403]


async def test_views_and_reviews_from_the_broker_join_the_score(platform, operators):
    async with platform.client("catalog", operators[0]) as catalog:
        category = (
            await catalog.post(
                "/api/v1/catalog/categories",
                json={"name": f"杯 {new_id().hex}", "role": "potential"},
            )
        ).json()["id"]
    product = await _listed(platform, operators, category)
    red = UUID(product["skus"][0]["id"])
    await _orders(platform, red, [1], paid=True)

    def view(*, bot=False):
        return envelope_for(
            BehaviourRecorded(
                behaviour_id=new_id(),
                actor=f"anon-{new_id().hex[:8]}",
                action=Action.PRODUCT_VIEW,
                target=product["id"],
                occurred_at=now(),
                bot_signals=[BotSignal.USER_AGENT] if bot else [],
            ),
            source="/flywheel/analytics",
        )

    def review(stars):
        return envelope_for(
            ReviewPosted(
                review_id=new_id(),
                sku_id=red,
                author=new_id(),
                rating=stars,
                verified=True,
                posted_at=now(),
            ),
            source="/flywheel/content",
        )

    seen = view()
    await publishing.publish(
        platform, seen, seen, view(), view(bot=True), view(), review(5), review(4)
    )
    async with platform.client("catalog", operators[0]) as catalog:

        async def rolled_up():
            ranked = (
                await catalog.get(f"{INSIGHTS}/hot-items", params={"category": category})
            ).json()
            (mine,) = [item for item in ranked if item["sku_id"] == str(red)]
            figures = mine["figures"]
            return figures if (figures["views"], figures["reviews"]) == (3, 2) else None

        figures = await eventually(rolled_up)
    assert figures["rating"] == 4.5  # the bot's view and the repeated one did not count
    assert figures["rating_score"] == round(((9 + 15) / 7 - 1) / 4, 4)
