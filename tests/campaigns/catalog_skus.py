"""SKUs the catalog of the test platform lists with stock on hand, for the flash tests whose
sessions the real catalog holds stock for (its submit and approve take two operators)."""

import stocked

from chassis.ids import new_id
from chassis.money import Money
from chassis.testing import eventually

PRODUCTS = "/api/v1/catalog/products"
INVENTORY = "/api/v1/catalog/inventory"
FLASH = "/api/v1/campaigns/flash"

_reviewers: dict[int, tuple[str, str]] = {}


async def _operators(platform) -> tuple[str, str]:
    if id(platform) not in _reviewers:
        (_, first), (_, second) = [await platform.staff("operator") for _ in range(2)]
        _reviewers[id(platform)] = (first, second)
    return _reviewers[id(platform)]


async def listed_with_stock(platform, on_hand: int) -> str:
    """A listed SKU at 150 CNY with `on_hand` units received: its id."""
    operators, tea = await _operators(platform), Money(amount=150_00, currency="CNY")
    return await stocked.listed_with_stock(platform, operators, on_hand, "龙井", tea)


async def catalog_stock(platform, sku: str) -> dict:
    submitter, _ = await _operators(platform)
    async with platform.client("catalog", submitter) as catalog:
        return (await catalog.get(f"{INVENTORY}/skus/{sku}")).json()


async def in_state(platform, session_id: str, state: str, within: float = 30) -> dict:
    """The session's page once it is in `state` (the catalog's answer, or the end, taken)."""

    async def shown() -> dict | None:
        async with platform.client("campaigns") as anonymous:
            page = (await anonymous.get(f"{FLASH}/sessions/{session_id}")).json()
        return page if page["state"] == state else None

    return await eventually(shown, within=within)


async def listed_product(platform, skus: int, on_hand: int) -> dict:
    """A listed product of `skus` SKUs with `on_hand` units each: the catalog's page of it."""
    submitter, reviewer = await _operators(platform)
    tag = new_id().hex[-6:]
    async with platform.client("catalog", submitter) as catalog:
        created = await catalog.post(
            PRODUCTS,
            json={
                "name": f"龙井 {tag}",
                "attributes": {"规格": [f"{n + 1}00g" for n in range(skus)]},
                "skus": [
                    {
                        "code": f"LJ-{tag}-{n}",
                        "attributes": {"规格": f"{n + 1}00g"},
                        "price": {"amount": 150_00, "currency": "CNY"},
                        "stock": on_hand,
                    }
                    for n in range(skus)
                ],
            },
        )
        assert created.status_code == 201, created.text
        product = created.json()
        assert (await catalog.post(f"{PRODUCTS}/{product['id']}/submit")).is_success
    async with platform.client("catalog", reviewer) as catalog:
        approved = await catalog.post(f"{PRODUCTS}/{product['id']}/approve")
        assert approved.status_code == 200, approved.text
    return approved.json()
