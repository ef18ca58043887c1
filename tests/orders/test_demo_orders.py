"""The demo day of orders (`make run`) through the real gateway in front of the running
services, as `make run` loads it: seven paid (one of them refunded in full), two cancelled by
their customer, and one cancelled by the orders scheduler once its payment window closed.

The window is 15 minutes, so the test moves the last order's deadline back by that much in
the orders database (the clock's part, not the flow's) and waits for the running service's
scheduler, which cancels it as it would after 15 minutes."""

from datetime import timedelta
from uuid import UUID

import pytest
from sqlalchemy import update
from stack import gateway_for

from chassis.clock import now
from chassis.db import Database
from chassis.testing import eventually
from deploy.local.demo_orders import seed_orders
from services.orders.checkout.models import Order

pytestmark = pytest.mark.asyncio
CATALOG = "/api/v1/catalog"
ORDERS = "/api/v1/orders/orders"


async def _listed(edge, admin: dict, reviewer: dict, n: int) -> str:
    created = await edge.post(
        f"{CATALOG}/products",
        json={"name": f"Demo tea {n}", "price": {"amount": 1999 + n, "currency": "CNY"}},
        headers=admin,
    )
    sku = created.json()["id"]
    stocked = await edge.post(
        f"{CATALOG}/inventory/skus/{sku}/adjustments",
        json={"delta": 50, "reason": "receipt", "note": "demo"},
        headers=admin,
    )
    assert stocked.status_code < 300, stocked.text
    assert (await edge.post(f"{CATALOG}/products/{sku}/submit", headers=admin)).is_success
    approved = await edge.post(f"{CATALOG}/products/{sku}/approve", headers=reviewer)
    assert approved.status_code < 300, approved.text
    return sku


async def _signed_in(edge, email: str, password: str) -> dict:
    token = await edge.post("/api/v1/users/auth/token", json={"email": email, "password": password})
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


async def _customer(edge, n: int) -> dict:
    account = {"email": f"demo-{n}-{now().timestamp()}@example.com", "password": "flywheel-demo"}
    registered = await edge.post("/api/v1/users/register", json=account)
    assert registered.status_code == 201, registered.text
    return await _signed_in(edge, account["email"], account["password"])


async def test_the_demo_day_of_orders_ends_as_documented(platform, sqlite_dir):
    _, reviewer_email, reviewer_password = await platform.staff_account("operator")
    async with gateway_for(platform, sqlite_dir / "demo-gateway.db") as edge:
        admin = await _signed_in(edge, "admin@flywheel.local", "flywheel-admin")
        reviewer = await _signed_in(edge, reviewer_email, reviewer_password)
        skus = [await _listed(edge, admin, reviewer, n) for n in range(3)]
        customers = [await _customer(edge, n) for n in range(2)]

        placed = await seed_orders(edge, admin, customers, skus)
        left = placed[-1]
        assert left["status"] == "awaiting_payment"
        await _payment_window_passed(platform, UUID(left["id"]))

        async def timed_out() -> dict | None:
            order = (await edge.get(f"{ORDERS}/{left['id']}", headers=customers[1])).json()
            return order if order["status"] == "cancelled" else None

        await eventually(timed_out, within=15)
        day = [
            (await edge.get(f"{ORDERS}/{o['id']}", headers=customers[n % 2])).json()
            for n, o in enumerate(placed)
        ]
        refunds = [
            (await edge.get(f"{ORDERS}/{o['id']}/refunds", headers=admin)).json() for o in day
        ]

    assert [o["status"] for o in day] == ["paid"] * 7 + ["cancelled"] * 3
    assert [o["shipping_address"]["recipient"] for o in day] == ["Mei Chen", "Lei Wang"] * 5
    assert [r["amount"] for r in refunds[0]] == [day[0]["total"]]  # refunded in full
    assert refunds[1:] == [[]] * 9
    causes = [o["history"][-1]["cause"] for o in day[7:]]
    assert causes == ["cancelled by the customer"] * 2 + ["unpaid when its payment window closed"]


async def _payment_window_passed(platform, order_id: UUID) -> None:
    """As if the 15 minutes of the order's payment window were over."""
    db = Database(platform.database_url("orders"), service="probe")
    try:
        async with db.session() as session, session.begin():
            await session.execute(
                update(Order)
                .where(Order.id == order_id)
                .values(payment_expires_at=now() - timedelta(seconds=1))
            )
    finally:
        await db.dispose()
