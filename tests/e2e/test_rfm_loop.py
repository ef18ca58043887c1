"""A customer's first paid order reaches the RFM chart through the real services and broker:
catalog lists the product with stock, orders takes the order through the saga and the
provider's signed callback, users scores the customer (the first cut-offs when none exist)
and announces `users.rfm.scores_changed`, and analytics counts them into their code."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

from observe import event_about
from stocked import listed_with_stock

from chassis.clock import now
from chassis.money import Money
from chassis.testing import eventually

ORDERS = "/api/v1/orders/orders"
RFM = "/api/v1/analytics/metrics/rfm"


async def test_a_first_paid_order_enters_the_customers_rfm_code_in_analytics(
    platform, operator_token
):
    operators = (operator_token, (await platform.staff("operator"))[1])
    sku = await listed_with_stock(platform, operators, on_hand=3, name="Kettle")
    customer_id, token = await platform.customer()
    async with platform.client("analytics", operator_token) as analytics:
        before = await _entered_today(analytics)
        async with platform.client("orders", token) as orders:
            order = await eventually(lambda: _placed(orders, sku), within=30, interval=0.2)
            await eventually(lambda: _awaiting_payment(orders, order["id"]), within=30)
            await _pay(platform, orders, order["id"])

        scored = await event_about(
            platform.broker.bootstrap_servers,
            "flywheel.users.rfm",
            "flywheel.users.rfm.scores_changed.v1",
            customer_id,
            within=30,
        )
        code = scored["data"]["to_code"]

        async def counted() -> dict | None:
            after = await _entered_today(analytics)
            return after if after.get(code, 0) > before.get(code, 0) else None

        after = await eventually(counted, within=30, interval=0.3)
    assert scored["data"]["from_code"] is None  # a first score: the customer had none
    assert after[code] == before.get(code, 0) + 1


async def _placed(orders, sku: str) -> dict | None:
    """The order, once orders knows the SKU from catalog's events (a 422 until then)."""
    placed = await orders.post(
        ORDERS, json={"lines": [{"sku_id": sku, "quantity": 1}]}, headers={"Idempotency-Key": sku}
    )
    assert placed.status_code in (201, 422), placed.text
    return placed.json() if placed.status_code == 201 else None


async def _awaiting_payment(orders, order_id: str) -> bool:
    return (await orders.get(f"{ORDERS}/{order_id}")).json()["status"] == "awaiting_payment"


async def _pay(platform, orders, order_id: str) -> None:
    opened = await orders.post(f"{ORDERS}/{order_id}/payments", json={})
    assert opened.status_code == 201, opened.text
    payment = opened.json()
    provider = platform.servers["orders"].app.state.payment_provider
    amount = Money.model_validate(payment["amount"])
    body, headers = provider.callback(UUID(payment["id"]), UUID(order_id), amount, now())
    paid = await orders.post("/api/v1/orders/payments/callback", content=body, headers=headers)
    assert paid.json()["order_status"] == "paid", paid.text


async def _entered_today(analytics) -> dict[str, int]:
    today = datetime.now(UTC).date()
    span = {"by": "code", "from": today.isoformat(), "to": (today + timedelta(days=1)).isoformat()}
    response = await analytics.get(RFM, params=span)
    assert response.status_code == 200, response.text
    points = response.json()["points"]
    return {p["group"]: p["entered"] for p in points if p["day"] == today.isoformat()}
