"""Demo orders for `make run`: a day of the shop's orders through the saga, via the gateway.

Ten orders of the listed products without variants, by the two demo customers: catalog
reserves their stock over the broker (the saga), then seven are paid through the simulated
provider (its signed callback, as a real provider would call), two are cancelled by their
customer and one is left to its payment window; one paid order is refunded by an operator.
Every request carries an Idempotency-Key, so a demo loaded twice places nothing twice.
"""

import asyncio
from datetime import UTC, datetime
from uuid import UUID

import httpx

from chassis.money import Money
from deploy.local.answers import checked
from deploy.local.demo_catalog import PRODUCTS
from services.orders.payments.provider import SimulatedProvider
from services.orders.settings import Settings as OrdersSettings

ORDERS = "/api/v1/orders/orders"
PAID, CANCELLED = range(7), (7, 8)  # the order left (9) waits for its payment window
WAIT_SECONDS = 20
# Where each demo customer's orders go (the order keeps its copy of the address).
ADDRESSES = (
    {
        "recipient": "Mei Chen",
        "phone": "13800138000",
        "region": "CN-ZJ",
        "address_lines": ["88 Wensan Road, Xihu District", "Building 3, Unit 1201"],
        "postal_code": "310000",
    },
    {
        "recipient": "Lei Wang",
        "phone": "+8613900139000",
        "region": "CN-BJ",
        "address_lines": ["1 Jianguomenwai Avenue, Chaoyang District"],
    },
)


def plain(product_ids: list[str]) -> list[str]:
    """The products without variants and in stock: their one SKU takes the product's id."""
    return [
        pid for pid, entry in zip(product_ids, PRODUCTS, strict=True) if not entry[6] and entry[4]
    ]


async def seed_orders(
    client: httpx.AsyncClient, staff: dict, customers: list[dict], skus: list[str]
) -> list[dict]:
    """The day's orders of `skus` (listed, in stock), as they stand when the demo is loaded."""
    placed = [
        await _place(client, customers[n % 2], n, skus[n % len(skus)], 1 + n % 2) for n in range(10)
    ]
    ready = await asyncio.gather(
        *(_awaiting(client, customers[n % 2], o) for n, o in enumerate(placed))
    )
    provider = _provider()
    for n in PAID:
        await _pay(client, customers[n % 2], ready[n], provider, n)
    for n in CANCELLED:
        checked(await client.post(f"{ORDERS}/{ready[n]['id']}/cancel", headers=customers[n % 2]))
    refund = await client.post(
        f"{ORDERS}/{ready[0]['id']}/refunds",
        json={"full": True, "reason": "demo: the parcel was lost in transit"},
        headers={**staff, "Idempotency-Key": "demo-day-refund"},
    )
    checked(refund)
    return ready


async def _place(client, customer: dict, n: int, sku: str, quantity: int) -> dict:
    """Orders learns SKUs from catalog's events: a 422 until it has heard of this one."""
    body = {
        "lines": [{"sku_id": sku, "quantity": quantity}],
        "shipping_address": ADDRESSES[n % 2],
    }
    headers = {**customer, "Idempotency-Key": f"demo-day-{n}"}
    for _ in range(WAIT_SECONDS * 5):
        placed = await client.post(ORDERS, json=body, headers=headers)
        if placed.status_code != 422:
            break
        await asyncio.sleep(0.2)
    return checked(placed).json()


async def _awaiting(client, customer: dict, order: dict) -> dict:
    """The order once catalog reserved its stock (over the broker) and it awaits payment."""
    for _ in range(WAIT_SECONDS * 5):
        current = checked(await client.get(f"{ORDERS}/{order['id']}", headers=customer)).json()
        if current["status"] != "placed":
            return current
        await asyncio.sleep(0.2)
    raise RuntimeError(f"demo order {order['id']} is still placed: is catalog consuming?")


def _provider() -> SimulatedProvider:
    """The simulated provider with the orders service's secret (the same settings)."""
    settings = OrdersSettings()
    return SimulatedProvider(settings.payment_secret.get_secret_value().encode(), None, "")


async def _pay(client, customer: dict, order: dict, provider: SimulatedProvider, n: int) -> None:
    opened = await client.post(
        f"{ORDERS}/{order['id']}/payments",
        json={},
        headers={**customer, "Idempotency-Key": f"demo-day-pay-{n}"},
    )
    payment = checked(opened).json()
    body, headers = provider.callback(
        UUID(payment["id"]),
        UUID(order["id"]),
        Money.model_validate(payment["amount"]),
        datetime.now(UTC),
    )
    answer = await client.post("/api/v1/orders/payments/callback", content=body, headers=headers)
    if answer.status_code != 409:  # a demo loaded again: that callback was applied before
        checked(answer)
