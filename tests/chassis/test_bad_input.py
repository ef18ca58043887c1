"""Input a service cannot take is refused up front, naming the field, on any backend."""

from sqlalchemy import select
from stack import ADMIN

from chassis.db import Database
from services.catalog.products.models import Product


async def test_a_nul_character_is_a_422_naming_the_field_and_nothing_is_stored(platform):
    token = await platform.token(ADMIN["email"], ADMIN["password"])
    async with platform.client("catalog", token) as catalog:
        refused = await catalog.post(
            "/api/v1/catalog/products", json={"name": "nul\u0000name", "description": "fine"}
        )
        kept = await catalog.post("/api/v1/catalog/products", json={"name": "nul-free"})
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["errors"][0]["field"] == "body.name"
    assert kept.status_code == 201
    db = Database(platform.database_url("catalog"), service="probe")
    try:
        async with db.session() as session:
            query = select(Product.name).where(Product.name.like("nul%"))
            names = set(await session.scalars(query))
    finally:
        await db.dispose()
    assert names == {"nul-free"}


async def test_nul_in_a_nested_field_or_the_query_is_refused_too(platform):
    token = await platform.token(ADMIN["email"], ADMIN["password"])
    async with platform.client("analytics", token) as analytics:
        query = await analytics.get("/api/v1/analytics/events", params={"type": "a\u0000"})
    async with platform.client("catalog", token) as catalog:
        nested = await catalog.post(
            "/api/v1/catalog/products",
            json={"name": "ok", "price": {"amount": 1, "currency": "CN\u0000"}},
        )
    assert query.status_code == 422
    assert query.json()["errors"][0]["field"] == "query.type"
    assert nested.status_code == 422
    assert nested.json()["errors"][0]["field"] == "body.price.currency"


async def test_a_body_that_is_not_json_is_a_422_naming_the_body(platform):
    token = await platform.token(ADMIN["email"], ADMIN["password"])
    async with platform.client("catalog", token) as catalog:
        response = await catalog.post(
            "/api/v1/catalog/products",
            content=b'{"name": "unterminated',
            headers={"Content-Type": "application/json"},
        )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    (error,) = response.json()["errors"]
    assert (error["field"], error["type"]) == ("body", "json_invalid")
