"""Demo data for `make run`: a shop (its assortment in `demo_catalog`) whose events fill
analytics, with content on its products (`demo_content`) and a running holiday sale with its
mechanics (`demo_campaigns`), a day of orders through the saga (`demo_orders`) and a
population of customers with tags and segments (`demo_users`), loaded via the gateway.

Loaded once per `var/` (a marker file records it), so restarts do not duplicate it.
"""

import asyncio

import httpx

from chassis.settings import VAR_DIR
from contracts.manifest import BY_NAME
from deploy.local import demo_catalog, demo_orders
from deploy.local.answers import checked
from deploy.local.demo_campaigns import seed_campaigns
from deploy.local.demo_content import seed_content
from deploy.local.demo_orders import seed_orders
from deploy.local.demo_users import seed_users
from deploy.local.run import HOST, OFFSET

MARKER = VAR_DIR / ".demo-loaded"
CUSTOMER = {
    "email": "demo.customer@example.com",
    "password": "flywheel-demo",
    "display_name": "Mei",
}
SECOND_CUSTOMER = {
    "email": "demo.tom@example.com",
    "password": "flywheel-demo",
    "display_name": "Tom",
}


async def _token(client: httpx.AsyncClient, email: str, password: str) -> str:
    response = await client.post(
        "/api/v1/users/auth/token", json={"email": email, "password": password}
    )
    checked(response)
    return response.json()["access_token"]


async def seed(gateway_url: str, admin_email: str, admin_password: str) -> None:
    if MARKER.exists():
        return
    async with httpx.AsyncClient(base_url=gateway_url, timeout=10) as client:
        staff = {"Authorization": f"Bearer {await _token(client, admin_email, admin_password)}"}
        reviewer = {"Authorization": f"Bearer {await demo_catalog.reviewer_token(client, _token)}"}
        product_ids = await demo_catalog.seed_catalog(client, staff, reviewer)
        customer, second = [await _customer(client, c) for c in (CUSTOMER, SECOND_CUSTOMER)]
        await seed_campaigns(
            client, staff, [customer, second], product_ids, demo_catalog.orderable(product_ids)
        )
        behaviour = [{"action": "view", "target": pid} for pid in product_ids]
        behaviour.append({"action": "add_to_cart", "target": product_ids[0]})
        # As a storefront reports it, from the customer's browser (an HTTP library's own
        # User-Agent is flagged as a bot's and left out of the funnels).
        browser = {"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1) Mobile Safari/604.1"}
        response = await client.post(
            "/api/v1/analytics/behaviour", json={"events": behaviour}, headers=customer | browser
        )
        checked(response)
        await _place_order(client, customer, demo_catalog.orderable(product_ids))
        await seed_orders(client, staff, [customer, second], demo_orders.plain(product_ids))
        await seed_content(client, staff, [customer, second], product_ids[:5])
    # The population goes to the users service itself: through the gateway its 200
    # registrations and sign-ins would wait minutes for the auth rate limit (30 a minute).
    users_url = f"http://{HOST}:{BY_NAME['users'].port + OFFSET}"
    async with httpx.AsyncClient(base_url=users_url, timeout=60) as client:
        await seed_users(client, staff)
    MARKER.write_text("loaded\n")


async def _customer(client: httpx.AsyncClient, account: dict) -> dict:
    """A demo customer's Authorization header, registering them first if need be."""
    registered = await client.post("/api/v1/users/register", json=account)
    if registered.status_code not in (201, 409):
        checked(registered)
    token = await _token(client, account["email"], account["password"])
    return {"Authorization": f"Bearer {token}"}


async def _place_order(client: httpx.AsyncClient, customer: dict, product_id: str) -> None:
    """Orders learns prices from catalog events: retry until it knows the product."""
    for _ in range(50):
        response = await client.post(
            "/api/v1/orders/orders",
            json={"lines": [{"product_id": product_id, "quantity": 2}]},
            headers={**customer, "Idempotency-Key": "demo-first-order"},
        )
        if response.status_code == 201:
            return
        await asyncio.sleep(0.2)
    checked(response)
