"""Orders over real HTTP: checkout at catalog prices, idempotent retries, ownership, paging,
and the order reaching catalog and users through the broker."""

from dataclasses import dataclass
from uuid import UUID

import httpx
import pytest
from sqlalchemy import select

from chassis.db import Database
from chassis.ids import new_id
from chassis.testing import eventually
from services.orders.prices.models import KnownProduct

pytestmark = pytest.mark.asyncio

ORDERS = "/api/v1/orders/orders"
CNY_1999 = {"amount": 1999, "currency": "CNY"}


async def _product(platform, admin_token, price: dict | None) -> str:
    async with platform.client("catalog", admin_token) as catalog:
        created = await catalog.post(
            "/api/v1/catalog/products", json={"name": f"Tea {new_id().hex[:6]}", "price": price}
        )
    assert created.status_code == 201
    return created.json()["id"]


def _order(*lines: tuple[str, int]) -> dict:
    return {"lines": [{"product_id": p, "quantity": q} for p, q in lines]}


async def _place_when_known(
    platform, orders: httpx.AsyncClient, body: dict, **kwargs
) -> httpx.Response:
    """Post the order once the orders service has heard of its products from the catalog:
    its read model (`known_products`) is read in its own database, not guessed from errors."""
    wanted = {UUID(line["product_id"]) for line in body["lines"]}
    db = Database(platform.database_url("orders"), service="orders")
    try:

        async def known() -> bool:
            async with db.session() as session:
                ids = select(KnownProduct.product_id).where(KnownProduct.product_id.in_(wanted))
                return set(await session.scalars(ids)) == wanted

        await eventually(known)
    finally:
        await db.dispose()
    return await orders.post(ORDERS, json=body, **kwargs)


@pytest.fixture(scope="module")
async def tea(platform, admin_token) -> str:
    """A product priced 19.99 CNY that the orders service knows."""
    product_id = await _product(platform, admin_token, CNY_1999)
    _, token = await platform.customer()
    async with platform.client("orders", token) as orders:
        assert (
            await _place_when_known(platform, orders, _order((product_id, 1)))
        ).status_code == 201
    return product_id


@dataclass
class Customer:
    id: str
    token: str
    orders: httpx.AsyncClient


@pytest.fixture
async def customer(platform) -> Customer:
    """A fresh customer with an orders client that carries their token."""
    user_id, token = await platform.customer()
    async with platform.client("orders", token) as orders:
        yield Customer(user_id, token, orders)


async def test_an_order_is_priced_by_the_catalog_and_counted_downstream(
    platform, admin_token, customer
):
    orders = customer.orders
    product_id = await _product(platform, admin_token, CNY_1999)

    placed = await _place_when_known(platform, orders, _order((product_id, 2)))

    assert placed.status_code == 201
    order = placed.json()
    assert (order["customer_id"], order["status"]) == (customer.id, "placed")
    assert order["lines"] == [
        {
            "product_id": product_id,
            "quantity": 2,
            "list_price": CNY_1999,
            "unit_price": CNY_1999,
            "paid": {"amount": 3998, "currency": "CNY"},
        }
    ]
    assert order["total"] == {"amount": 3998, "currency": "CNY"}
    assert [(s["status"], s["cause"]) for s in order["history"]] == [
        ("placed", "placed by the customer")
    ]

    # A draft: staff see it (the storefront sees listed products only).
    async with platform.client("catalog", admin_token) as catalog:

        async def sold() -> bool:
            product = await catalog.get(f"/api/v1/catalog/products/{product_id}")
            return product.json()["units_sold"] == 2

        await eventually(sold)

    async with platform.client("users", customer.token) as users:

        async def counted() -> dict | None:
            return (await users.get("/api/v1/users/me")).json().get("orders")

        stats = await eventually(counted)
    assert stats["order_count"] == 1
    assert stats["total_spent"] == {"amount": 3998, "currency": "CNY"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body.lines"),
        ({"lines": []}, "body.lines"),
        (_order(*[(str(new_id()), 1)] * 101), "body.lines"),
        (_order((str(new_id()), 0)), "body.lines.0.quantity"),
        (_order((str(new_id()), 1000)), "body.lines.0.quantity"),
        (_order(("not-a-uuid", 1)), "body.lines.0.product_id"),
        (
            {"lines": [{"product_id": str(new_id()), "quantity": 1, "unit_price": CNY_1999}]},
            "body.lines.0.unit_price",
        ),
    ],
)
async def test_malformed_orders_are_422_naming_the_field(platform, admin_token, body, field):
    async with platform.client("orders", admin_token) as orders:
        response = await orders.post(ORDERS, json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == [field]


async def test_an_unknown_product_is_422_naming_its_line(customer, tea):
    orders = customer.orders
    response = await orders.post(ORDERS, json=_order((tea, 1), (str(new_id()), 1)))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.lines.1.product_id"


async def test_a_product_without_a_price_cannot_be_ordered(platform, admin_token, customer):
    orders = customer.orders
    unpriced = await _product(platform, admin_token, None)
    response = await _place_when_known(platform, orders, _order((unpriced, 1)))
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["field"] == "body.lines.0.product_id"
    assert "no price" in error["message"]


async def test_lines_in_two_currencies_are_422(platform, admin_token, customer, tea):
    orders = customer.orders
    mug = await _product(platform, admin_token, {"amount": 800, "currency": "USD"})
    assert (await _place_when_known(platform, orders, _order((mug, 1)))).status_code == 201

    response = await orders.post(ORDERS, json=_order((tea, 1), (mug, 1)))

    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["field"] == "body.lines.1.product_id"
    assert "one currency" in error["message"]


async def test_a_retry_with_the_same_idempotency_key_returns_the_first_order(
    platform, customer, tea
):
    orders = customer.orders
    key = {"Idempotency-Key": f"checkout-{new_id().hex}"}

    first = await orders.post(ORDERS, json=_order((tea, 3)), headers=key)
    again = await orders.post(ORDERS, json=_order((tea, 3)), headers=key)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert len((await orders.get(ORDERS)).json()["items"]) == 1

    other_body = await orders.post(ORDERS, json=_order((tea, 4)), headers=key)
    assert other_body.status_code == 422
    assert other_body.json()["errors"][0]["field"] == "header.Idempotency-Key"

    # Keys belong to one customer: another customer's same key is another order.
    _, token = await platform.customer()
    async with platform.client("orders", token) as someone_else:
        theirs = await someone_else.post(ORDERS, json=_order((tea, 3)), headers=key)
    assert theirs.status_code == 201
    assert theirs.json()["id"] != first.json()["id"]


async def test_an_order_is_visible_to_its_customer_and_staff_only(
    platform, admin_token, customer, tea
):
    orders = customer.orders
    order_id = (await orders.post(ORDERS, json=_order((tea, 1)))).json()["id"]

    assert (await orders.get(f"{ORDERS}/{order_id}")).json()["id"] == order_id
    async with platform.client("orders", admin_token) as staff:
        assert (await staff.get(f"{ORDERS}/{order_id}")).status_code == 200
    _, token = await platform.customer()
    async with platform.client("orders", token) as someone_else:
        hidden = await someone_else.get(f"{ORDERS}/{order_id}")
    unknown = await orders.get(f"{ORDERS}/{new_id()}")
    for response in (hidden, unknown):
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
    malformed = await orders.get(f"{ORDERS}/42")
    assert malformed.json()["errors"][0]["field"] == "path.order_id"


async def test_orders_need_a_token(platform, tea):
    async with platform.client("orders") as anonymous:
        for response in (
            await anonymous.post(ORDERS, json=_order((tea, 1))),
            await anonymous.get(ORDERS),
            await anonymous.get(f"{ORDERS}/{new_id()}"),
        ):
            assert response.status_code == 401
            assert response.headers["content-type"] == "application/problem+json"
            assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_the_list_holds_own_orders_newest_first_in_pages(platform, customer, tea):
    orders = customer.orders
    placed = [(await orders.post(ORDERS, json=_order((tea, n)))).json()["id"] for n in (1, 2, 3)]
    _, token = await platform.customer()
    async with platform.client("orders", token) as someone_else:
        await someone_else.post(ORDERS, json=_order((tea, 1)))

    first = (await orders.get(ORDERS, params={"limit": 2})).json()
    second = (await orders.get(ORDERS, params={"limit": 2, "cursor": first["next_cursor"]})).json()

    assert [o["id"] for o in first["items"]] == [placed[2], placed[1]]
    assert [o["id"] for o in second["items"]] == [placed[0]]
    assert second["next_cursor"] is None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "query.limit"),
        ({"limit": 101}, "query.limit"),
        ({"cursor": "bm90IGEgY3Vyc29y"}, "query.cursor"),
    ],
)
async def test_bad_paging_parameters_are_422(platform, admin_token, params, field):
    async with platform.client("orders", admin_token) as orders:
        response = await orders.get(ORDERS, params=params)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field
