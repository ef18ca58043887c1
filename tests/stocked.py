"""A product listed through the catalog's API with stock on hand (imported as `stocked` by the
catalog's tests of the events that move its stock, and by flows across services)."""

from chassis.ids import new_id
from chassis.money import Money

PRODUCTS = "/api/v1/catalog/products"
INVENTORY = "/api/v1/catalog/inventory"
CNY = Money(amount=1500, currency="CNY")


async def listed_with_stock(
    platform, operators, on_hand: int, name: str = "Mug", price: Money = CNY
) -> str:
    """A product without variants (at 15 CNY unless `price`), submitted by the first operator
    and approved by the second, with `on_hand` units received: its SKU id (the product's)."""
    submitter, reviewer = operators
    async with platform.client("catalog", submitter) as catalog:
        created = await catalog.post(
            PRODUCTS, json={"name": f"{name} {new_id().hex[-6:]}", "price": price.model_dump()}
        )
        assert created.status_code == 201, created.text
        sku = created.json()["id"]
        await catalog.post(f"{PRODUCTS}/{sku}/submit")
        received = await catalog.post(
            f"{INVENTORY}/skus/{sku}/adjustments", json={"delta": on_hand, "reason": "receipt"}
        )
        assert received.status_code in (200, 201), received.text
    async with platform.client("catalog", reviewer) as catalog:
        assert (await catalog.post(f"{PRODUCTS}/{sku}/approve")).status_code == 200
    return sku
