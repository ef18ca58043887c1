"""Catalog products over real HTTP: roles, validation, and the event that creation publishes."""

import uuid

import pytest

from chassis.testing import eventually


async def test_operator_creates_a_draft_product_with_just_a_name(platform, admin_token):
    async with platform.client("catalog", admin_token) as catalog:
        created = await catalog.post("/api/v1/catalog/products", json={"name": "  Green tea  "})
        assert created.status_code == 201
        product = created.json()
        fetched = await catalog.get(f"/api/v1/catalog/products/{product['id']}")
    assert product["name"] == "Green tea"
    assert product["state"] == "draft"
    assert product["price"] is None
    assert fetched.json() == product


async def test_customer_may_not_create_products(platform):
    _, token = await platform.customer()
    async with platform.client("catalog", token) as catalog:
        response = await catalog.post("/api/v1/catalog/products", json={"name": "Nope"})
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"


async def test_missing_token_is_401(platform):
    async with platform.client("catalog") as catalog:
        response = await catalog.post("/api/v1/catalog/products", json={"name": "Nope"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body.name"),
        ({"name": ""}, "body.name"),
        ({"name": "x", "price": {"amount": -1, "currency": "CNY"}}, "body.price.amount"),
        ({"name": "x", "price": {"amount": 100, "currency": "yuan"}}, "body.price.currency"),
        ({"name": "x", "price": {"amount": 1.5, "currency": "CNY"}}, "body.price.amount"),
        ({"name": "x", "colour": "red"}, "body.colour"),
    ],
)
async def test_bad_input_is_422_naming_the_field(platform, admin_token, body, field):
    async with platform.client("catalog", admin_token) as catalog:
        response = await catalog.post("/api/v1/catalog/products", json=body)
    assert response.status_code == 422
    problem = response.json()
    assert problem["status"] == 422
    assert field in [error["field"] for error in problem["errors"]]
    assert field in problem["detail"]


async def test_unknown_product_is_404(platform):
    async with platform.client("catalog") as catalog:
        response = await catalog.get(f"/api/v1/catalog/products/{uuid.uuid4()}")
    assert response.status_code == 404
    assert response.json()["title"] == "Not Found"


async def test_creation_event_reaches_analytics(platform, admin_token):
    async with platform.client("catalog", admin_token) as catalog:
        created = await catalog.post(
            "/api/v1/catalog/products",
            json={"name": "Oolong", "price": {"amount": 2599, "currency": "CNY"}},
        )
    product_id = created.json()["id"]

    async def recorded():
        async with platform.client("analytics", admin_token) as analytics:
            response = await analytics.get(
                "/api/v1/analytics/events",
                params={"type": "flywheel.catalog.product.created.v1", "subject": product_id},
            )
        return response.json()["items"]

    (event,) = await eventually(recorded)
    assert event["source"] == "/flywheel/catalog"
    assert event["data"]["price"] == {"amount": 2599, "currency": "CNY"}
