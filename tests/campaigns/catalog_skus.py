"""SKUs the catalog of the test platform lists with stock on hand (its submit and approve
take two operators), and flash sessions of them over HTTP, for the flash tests whose sessions
the real catalog holds stock for."""

from uuid import UUID

import stocked
from sqlalchemy import select

from chassis.events.tables import inbox
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


async def held_session(platform, operator_token, *skus: str, stock: int = 5, limit: int = 5):
    """A session of `skus` at ¥99 running now (from 2020 to 2099), `stock` units each and
    `limit` a customer, scheduled by an operator: its page once the catalog holds its stock."""
    item = {"flash_price": {"amount": 99_00, "currency": "CNY"}, "stock": stock}
    async with platform.client("campaigns", operator_token) as staff:
        created = await staff.post(
            f"{FLASH}/sessions",
            json={
                "name": "22:00 秒杀",
                "starts_at": "2020-01-01T00:00:00Z",
                "ends_at": "2099-01-01T00:00:00Z",
                "items": [item | {"sku_id": sku, "per_user_limit": limit} for sku in skus],
            },
        )
    assert created.status_code == 201, created.text
    return await in_state(platform, created.json()["id"], "held")


async def stopped(platform, session_id: str, skus: set[str]) -> dict | None:
    """The session's page once exactly `skus` are stopped."""
    async with platform.client("campaigns") as anonymous:
        page = (await anonymous.get(f"{FLASH}/sessions/{session_id}")).json()
    stopped = {i["sku_id"] for i in page["items"] if i["stopped_at"] is not None}
    return page if stopped == skus else None


async def customer_reserving(platform, session_id: str):
    """A new customer's way to reserve a SKU of the session: its response."""
    _, token = await platform.customer()

    async def reserve(sku: str):
        async with platform.client("campaigns", token) as customer:
            return await customer.post(f"{FLASH}/{session_id}/reservations", json={"sku_id": sku})

    return reserve


def refused_as_delisted(response) -> None:
    """A reservation of a stopped item: a problem+json 409 naming `body.sku_id`."""
    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in response.json()["errors"]] == ["body.sku_id"]
    assert "delisted" in response.json()["detail"]


async def taken(platform, event_id: UUID) -> bool:
    """Whether campaigns' inbox holds the event (its consumer took it)."""
    db = platform.servers["campaigns"].app.state.db
    async with db.session() as session:
        found = await session.scalars(select(inbox.c.event_id).where(inbox.c.event_id == event_id))
        return bool(list(found))
