"""A refund reaches the other services through the real broker: an order placed at a
multi-SKU product's SKU price, reserved by catalog, paid, earns points in users; the
customer's refund of one of its two units, approved by an operator, takes half of them back."""

from uuid import UUID

from chassis.clock import now
from chassis.ids import new_id
from chassis.money import Money
from chassis.testing import eventually

ORDERS = "/api/v1/orders/orders"


async def test_a_refund_reverses_the_points_the_order_earned(platform):
    (_, operator_token), (_, reviewer_token) = [await platform.staff("operator") for _ in "ab"]
    _, customer_token = await platform.customer()
    code = new_id().hex[:8]
    async with platform.client("catalog", operator_token) as catalog:
        created = await catalog.post(
            "/api/v1/catalog/products",
            json={
                "name": f"Teapot {code}",
                "attributes": {"颜色": ["红", "蓝"]},
                "skus": [
                    {
                        "code": f"R{code}",
                        "attributes": {"颜色": "红"},
                        "price": {"amount": 10000, "currency": "CNY"},
                        "stock": 10,
                    },
                    {
                        "code": f"B{code}",
                        "attributes": {"颜色": "蓝"},
                        "price": {"amount": 12000, "currency": "CNY"},
                        "stock": 10,
                    },
                ],
            },
        )
        assert created.status_code == 201, created.text
        product = created.json()["id"]
        await catalog.post(f"/api/v1/catalog/products/{product}/submit")
    async with platform.client("catalog", reviewer_token) as reviewer:
        approved = await reviewer.post(f"/api/v1/catalog/products/{product}/approve", json={})
    assert approved.json()["state"] == "listed"  # catalog reserves stock of listed SKUs only
    blue = next(s["id"] for s in created.json()["skus"] if s["code"] == f"B{code}")

    async with (
        platform.client("orders", customer_token) as orders,
        platform.client("orders", operator_token) as operator,
        platform.client("users", customer_token) as users,
    ):

        async def placed() -> dict | None:
            response = await orders.post(ORDERS, json={"lines": [{"sku_id": blue, "quantity": 2}]})
            return response.json() if response.status_code == 201 else None

        order = await eventually(placed)  # once the SKU reached the orders read model
        assert order["total"] == {"amount": 24000, "currency": "CNY"}

        async def awaiting() -> bool:
            status = (await orders.get(f"{ORDERS}/{order['id']}")).json()["status"]
            return status == "awaiting_payment"

        await eventually(awaiting, within=30)  # catalog reserved the stock
        payment = (await orders.post(f"{ORDERS}/{order['id']}/payments", json={})).json()
        provider = platform.servers["orders"].app.state.payment_provider
        body, headers = provider.callback(
            UUID(payment["id"]), UUID(order["id"]), Money(amount=24000, currency="CNY"), now()
        )
        paid = await orders.post("/api/v1/orders/payments/callback", content=body, headers=headers)
        assert paid.json()["order_status"] == "paid"

        def frozen(points: int):
            async def check() -> bool:
                return (await users.get("/api/v1/users/me/points")).json()["frozen"] == points

            return check

        await eventually(frozen(240), within=30)  # 1 point per yuan paid
        asked = await orders.post(
            f"{ORDERS}/{order['id']}/aftersales",
            json={
                "kind": "refund_only",
                "reason": "one arrived cracked",
                "lines": [{"line_no": 0, "quantity": 1}],
            },
        )
        approved = await operator.post(
            f"{'/api/v1/orders/aftersales'}/{asked.json()['id']}/approve", json={}
        )
        assert approved.json()["status"] == "refunded"

        await eventually(frozen(120), within=30)
