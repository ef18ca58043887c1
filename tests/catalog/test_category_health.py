"""Category health over real HTTP: the subtree's figures with the role they suggest (returns
taken off the sales), accepted or overridden with a reason, each decision kept; and on
PostgreSQL, concurrent acceptances of one report change the role once."""

import asyncio
from datetime import timedelta
from uuid import UUID

import products_db
import pytest

from chassis.clock import now
from chassis.db import Database, insert_for
from chassis.http.problems import Conflict
from chassis.ids import new_id
from chassis.money import Price
from services.catalog.categories import service as categories
from services.catalog.categories.schemas import CategoryCreate
from services.catalog.insights import service
from services.catalog.insights.models import ProductViews
from services.catalog.inventory import service as inventory
from services.catalog.products.schemas import ProductCreate, SkuIn

INSIGHTS = "/api/v1/catalog/insights"
CATEGORIES = "/api/v1/catalog/categories"


async def _shop(platform, operators) -> tuple[str, str, list[str]]:
    """A category (potential) with a subcategory holding a listed product of two SKUs at a
    margin of 50%, 400 in stock each: (category, product, SKUs)."""
    submitter, reviewer = operators
    async with platform.client("catalog", submitter) as catalog:
        top = (
            await catalog.post(CATEGORIES, json={"name": f"杯 {new_id().hex}", "role": "potential"})
        ).json()["id"]
        sub = (
            await catalog.post(
                CATEGORIES,
                json={"name": f"保温杯 {new_id().hex}", "role": "core", "parent_id": top},
            )
        ).json()["id"]
        product = (
            await catalog.post(
                "/api/v1/catalog/products",
                json={
                    "name": f"保温杯 {new_id().hex[-6:]}",
                    "category_id": sub,
                    "attributes": {"颜色": ["红", "蓝"]},
                    "skus": [
                        {
                            "code": f"H-{new_id().hex}",
                            "attributes": {"颜色": color},
                            "price": {"amount": 10000, "currency": "CNY"},
                            "cost": {"amount": 5000, "currency": "CNY"},
                            "stock": 400,
                        }
                        for color in ("红", "蓝")
                    ],
                },
            )
        ).json()
        await catalog.post(f"/api/v1/catalog/products/{product['id']}/submit")
    async with platform.client("catalog", reviewer) as catalog:
        await catalog.post(f"/api/v1/catalog/products/{product['id']}/approve")
    return top, product["id"], [s["id"] for s in product["skus"]]


async def _sell(db: Database, sku_id, quantity: int) -> UUID:
    """An order placed and paid, as the saga records it (its handler is tested elsewhere)."""
    order_id = new_id()
    async with db.session() as session, session.begin():
        await inventory.reserve(session, order_id, [(UUID(sku_id), quantity)], timedelta(hours=1))
    async with db.session() as session, session.begin():
        await inventory.confirm(session, order_id)
    return order_id


async def test_the_report_suggests_a_role_that_an_operator_accepts(platform, operators):
    category, product, (red, blue) = await _shop(platform, operators)
    db = Database(platform.database_url("catalog"), service="test")
    try:
        orders = [await _sell(db, red, 150), await _sell(db, blue, 150)]  # 10 a day
        async with db.session() as session, session.begin():
            await session.execute(
                insert_for(session, ProductViews.__table__).values(
                    product_id=UUID(product), day=now().date(), views=4000
                )
            )
        async with platform.client("catalog", operators[0]) as catalog:
            report = (await catalog.get(f"{INSIGHTS}/categories/{category}/health")).json()
            # 20 of the 300 come back: 9.3 a day is no longer core's pace.
            async with db.session() as session, session.begin():
                await inventory.record_refund(
                    session, new_id(), orders[0], [(UUID(red), 20)], resaleable=True
                )
            after = (await catalog.get(f"{INSIGHTS}/categories/{category}/health")).json()
    finally:
        await db.dispose()
    assert report["figures"] == {
        "skus": 2,
        "listed_skus": 2,
        "listed_share": 1.0,
        "sold_30d": 300,
        "velocity_per_day": 10.0,
        "views_30d": 4000,
        "orders_30d": 2,
        "conversion": 0.0005,
        "available": 500,
        "cover_days": 50.0,
        "margin_bps": 5000,
    }
    assert (report["role"], report["role_label"]) == ("potential", "潜力")
    assert report["suggestion"] == {
        "role": "core",
        "role_label": "核心",
        "reason": "sells 10.0 a day (core: 10) at a margin of 50.0% (core: 15%)",
    }
    assert after["figures"]["sold_30d"] == 280
    assert after["suggestion"] is None

    async with platform.client("catalog", operators[0]) as catalog:
        nothing = await catalog.post(
            f"{INSIGHTS}/categories/{category}/health/decisions", json={"accept": True}
        )
    assert nothing.status_code == 409  # the report suggests nothing now


async def test_an_override_keeps_the_role_with_its_reason(platform, operators):
    category, _, _ = await _shop(platform, operators)  # nothing sold: to eliminate
    decisions = f"{INSIGHTS}/categories/{category}/health/decisions"
    async with platform.client("catalog", operators[1]) as catalog:
        report = (await catalog.get(f"{INSIGHTS}/categories/{category}/health")).json()
        no_reason = await catalog.post(decisions, json={"accept": False})
        with_role = await catalog.post(decisions, json={"accept": True, "role": "core"})
        kept = await catalog.post(decisions, json={"accept": False, "reason": "新品刚上架"})
        moved = await catalog.post(
            decisions, json={"accept": False, "role": "advantage", "reason": "品牌合作"}
        )
        accepted = await catalog.post(decisions, json={"accept": True})
        role = (await catalog.get(f"{CATEGORIES}/{category}")).json()["role"]
        listed = (await catalog.get(decisions)).json()["items"]
        missing = await catalog.get(f"{INSIGHTS}/categories/{new_id()}/health")
    _, customer = await platform.customer()
    async with platform.client("catalog", customer) as catalog:
        refused = await catalog.get(f"{INSIGHTS}/categories/{category}/health")
    assert report["suggestion"]["role"] == "to_eliminate"
    assert report["suggestion"]["reason"] == (
        "sells 0.00 a day (under 0.2), nothing sold (eliminate: over 180)"
    )
    assert [e["field"] for e in no_reason.json()["errors"]] == ["body.reason"]
    assert [e["field"] for e in with_role.json()["errors"]] == ["body.role"]
    assert kept.status_code == 201, kept.text
    assert (kept.json()["role_before"], kept.json()["role"]) == ("potential", "potential")
    assert (kept.json()["suggested"], kept.json()["accepted"]) == ("to_eliminate", False)
    assert kept.json()["figures"]["sold_30d"] == 0
    assert (moved.json()["role"], accepted.json()["role"]) == ("advantage", "to_eliminate")
    assert role == "to_eliminate"
    assert [(d["role_before"], d["role"], d["accepted"]) for d in listed] == [
        ("advantage", "to_eliminate", True),
        ("potential", "advantage", False),
        ("potential", "potential", False),
    ]
    assert (missing.status_code, refused.status_code) == (404, 403)


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_concurrent_acceptances_change_the_role_once(db):
    async with db.session() as session:
        category = await categories.create(
            session, CategoryCreate(name="杯", role="core"), new_id()
        )
    body = ProductCreate(
        name="保温杯",
        category_id=category.id,
        skus=[SkuIn(code=f"T-{new_id().hex}", price=Price(amount=100, currency="CNY"))],
    )
    await products_db.create(db, body)  # listed, nothing sold: to eliminate

    async def accept():
        async with db.session() as session:
            try:
                return await service.decide_role(
                    session, category.id, accept=True, role=None, reason=None, by=new_id()
                )
            except Conflict:
                return None

    done = await asyncio.gather(*(accept() for _ in range(10)))
    assert sum(d is not None for d in done) == 1
    async with db.session() as session:
        assert (await categories.get(session, category.id)).role == "to_eliminate"
