"""The demo day of orders (`make run`) goes through the saga against the running services:
seven paid (one of them refunded), two cancelled by their customer, one awaiting payment."""

import pytest

from deploy.local.demo_orders import seed_orders

pytestmark = pytest.mark.asyncio
CATALOG = "/api/v1/catalog"


async def _listed(catalog, reviewer, n: int) -> str:
    created = await catalog.post(
        f"{CATALOG}/products",
        json={"name": f"Demo tea {n}", "price": {"amount": 1999 + n, "currency": "CNY"}},
    )
    sku = created.json()["id"]
    stocked = await catalog.post(
        f"{CATALOG}/inventory/skus/{sku}/adjustments",
        json={"delta": 50, "reason": "receipt", "note": "demo"},
    )
    assert stocked.status_code < 300, stocked.text
    assert (await catalog.post(f"{CATALOG}/products/{sku}/submit")).status_code < 300
    approved = await reviewer.post(f"{CATALOG}/products/{sku}/approve")
    assert approved.status_code < 300, approved.text
    return sku


async def test_the_demo_day_of_orders_goes_through_the_saga(platform, admin_token):
    _, reviewer_token = await platform.staff("operator")
    (_, mei), (_, tom) = await platform.customer(), await platform.customer()
    async with (
        platform.client("catalog", admin_token) as catalog,
        platform.client("catalog", reviewer_token) as reviewer,
    ):
        skus = [await _listed(catalog, reviewer, n) for n in range(3)]
    customers = [{"Authorization": f"Bearer {t}"} for t in (mei, tom)]
    staff = {"Authorization": f"Bearer {admin_token}"}
    async with platform.client("orders") as orders:
        placed = await seed_orders(orders, staff, customers, skus)
        now = [
            (await orders.get(f"/api/v1/orders/orders/{o['id']}", headers=customers[n % 2])).json()
            for n, o in enumerate(placed)
        ]
        refunds = await orders.get(
            f"/api/v1/orders/orders/{placed[0]['id']}/refunds", headers=staff
        )
    assert [o["status"] for o in now] == ["paid"] * 7 + ["cancelled"] * 2 + ["awaiting_payment"]
    assert [r["amount"]["amount"] for r in refunds.json()] == [now[0]["total"]["amount"]]
