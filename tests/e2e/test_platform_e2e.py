"""The whole platform through the gateway: what a storefront and an operator see."""

import httpx
import pytest
from stack import start_gateway

from chassis.testing import eventually
from gateway.settings import GatewaySettings


@pytest.fixture(scope="module")
async def gateway(platform, sqlite_dir):
    settings = GatewaySettings(
        database_url=f"sqlite+aiosqlite:///{sqlite_dir / 'gateway'}.db",
        upstreams={name: server.url for name, server in platform.servers.items()},
        jwks_url=f"{platform.servers['users'].url}/api/v1/users/.well-known/jwks.json",
    )
    server = await start_gateway(settings)
    yield server
    await server.stop()


def through(gateway, token: str | None = None) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(base_url=gateway.url, headers=headers, timeout=10)


async def login(gateway, email: str, password: str) -> str:
    async with through(gateway) as client:
        response = await client.post(
            "/api/v1/users/auth/token", json={"email": email, "password": password}
        )
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


async def test_an_operator_creates_a_product_and_sees_its_event_in_analytics(
    gateway, operator_token
):
    token = operator_token
    async with through(gateway, token) as client:
        created = await client.post(
            "/api/v1/catalog/products",
            json={"name": "Jasmine pearls", "price": {"amount": 4800, "currency": "CNY"}},
        )
        assert created.status_code == 201, created.text
        product_id = created.json()["id"]

        async def recorded():
            response = await client.get(
                "/api/v1/analytics/events",
                params={"type": "flywheel.catalog.product.created.v1", "subject": product_id},
            )
            assert response.status_code == 200, response.text
            return response.json()["items"]

        (event,) = await eventually(recorded, within=5)
    assert event["data"]["name"] == "Jasmine pearls"
    assert event["source"] == "/flywheel/catalog"


async def test_a_customer_orders_and_the_loop_closes(gateway, operator_token):
    async with through(gateway, operator_token) as client:
        created = await client.post(
            "/api/v1/catalog/products",
            json={"name": "Tea cup", "price": {"amount": 1500, "currency": "CNY"}},
        )
    product_id = created.json()["id"]

    email, password = "shopper@example.com", "a long password"
    async with through(gateway) as client:
        registered = await client.post(
            "/api/v1/users/register", json={"email": email, "password": password}
        )
    assert registered.status_code == 201, registered.text
    customer = await login(gateway, email, password)

    async with through(gateway, customer) as client:

        async def placed():
            response = await client.post(
                "/api/v1/orders/orders",
                json={"lines": [{"product_id": product_id, "quantity": 2}]},
                headers={"Idempotency-Key": "e2e-first-order"},
            )
            return response if response.status_code == 201 else None

        order = (await eventually(placed)).json()
        assert order["total"] == {"amount": 3000, "currency": "CNY"}

        async def counted():
            me = (await client.get("/api/v1/users/me")).json()
            return me["orders"]

        summary = await eventually(counted)
        assert summary["order_count"] == 1
        assert summary["total_spent"] == {"amount": 3000, "currency": "CNY"}

        async def welcomed():
            inbox = await client.get("/api/v1/engagement/inbox")
            return inbox.json()["items"]

        (welcome,) = await eventually(welcomed)
        assert welcome["template"] == "welcome"

        # A customer reaches only their own data and no operator routes.
        forbidden = await client.get("/api/v1/analytics/events")
        assert forbidden.status_code == 403
        assert forbidden.headers["content-type"] == "application/problem+json"

    async with through(gateway) as anonymous:
        assert (await anonymous.get("/api/v1/users/me")).status_code == 401

    async def sold():
        # A draft: staff see it (the storefront sees listed products only).
        async with through(gateway, operator_token) as client:
            product = await client.get(f"/api/v1/catalog/products/{product_id}")
        return product.json()["units_sold"] == 2

    await eventually(sold)


async def test_storefronts_report_behaviour_signed_in_or_not(gateway, platform, operator_token):
    shopper_id, shopper = await platform.customer()
    anonymous_view = {"action": "view", "target": "sku-anon", "anonymous_id": "device-4821"}
    async with through(gateway) as client:
        anonymous = await client.post(
            "/api/v1/analytics/behaviour", json={"events": [anonymous_view]}
        )
        nameless = await client.post(
            "/api/v1/analytics/behaviour", json={"events": [{"action": "view"}]}
        )
    async with through(gateway, shopper) as client:
        signed_in = await client.post(
            "/api/v1/analytics/behaviour", json={"events": [{"action": "search", "target": "tea"}]}
        )
    assert anonymous.status_code == 202, anonymous.text
    assert signed_in.status_code == 202, signed_in.text
    assert nameless.status_code == 422
    assert nameless.json()["errors"][0]["field"] == "body.events.0.anonymous_id"

    async with through(gateway, operator_token) as client:

        async def recorded():
            response = await client.get(
                "/api/v1/analytics/events",
                params={"type": "flywheel.analytics.behaviour.recorded.v1", "limit": 50},
            )
            found = {e["data"]["target"]: e["data"] for e in response.json()["items"]}
            return found if {"sku-anon", "tea"} <= found.keys() else None

        found = await eventually(recorded, within=10)
    assert found["sku-anon"]["actor"] == "device-4821"
    assert found["sku-anon"]["user_id"] is None
    assert found["tea"]["user_id"] == shopper_id  # the token travelled through the gateway


async def test_the_api_documents_which_routes_take_a_token_without_needing_one(gateway):
    async with through(gateway) as client:
        schema = (await client.get("/openapi.json")).json()
    paths = schema["paths"]
    # Anonymous or signed in: "no auth, or the bearer token".
    assert paths["/api/v1/analytics/behaviour"]["post"]["security"] == [{}, {"HTTPBearer": []}]
    assert paths["/api/v1/analytics/events"]["get"]["security"] == [{"HTTPBearer": []}]
    assert "OptionalBearer" not in schema["components"]["securitySchemes"]
