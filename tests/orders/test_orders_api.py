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
from services.orders.prices.models import CatalogProduct, CatalogSku

pytestmark = pytest.mark.asyncio

ORDERS = "/api/v1/orders/orders"
CNY_1999 = {"amount": 1999, "currency": "CNY"}


async def _product(platform, operator_token, price: dict | None) -> str:
    async with platform.client("catalog", operator_token) as catalog:
        created = await catalog.post(
            "/api/v1/catalog/products", json={"name": f"Tea {new_id().hex[:6]}", "price": price}
        )
    assert created.status_code == 201
    return created.json()["id"]


def _order(*lines: tuple[str, int]) -> dict:
    return {"lines": [{"sku_id": p, "quantity": q} for p, q in lines]}


async def _place_when_known(
    platform, orders: httpx.AsyncClient, body: dict, **kwargs
) -> httpx.Response:
    """Post the order once the orders service has heard of its SKUs from the catalog: its
    read model (`catalog_skus`) is read in its own database, not guessed from errors."""
    wanted = {UUID(line["sku_id"]) for line in body["lines"]}

    async def known(session) -> bool:
        ids = select(CatalogSku.sku_id).where(CatalogSku.sku_id.in_(wanted))
        return set(await session.scalars(ids)) == wanted

    await _read_model_shows(platform, known)
    return await orders.post(ORDERS, json=body, **kwargs)


async def _read_model_shows(platform, check) -> None:
    """Wait until `check(session)` holds in the orders service's own database."""
    db = Database(platform.database_url("orders"), service="orders")
    try:

        async def holds() -> bool:
            async with db.session() as session:
                return await check(session)

        await eventually(holds)
    finally:
        await db.dispose()


@pytest.fixture(scope="module")
async def tea(platform, operator_token) -> str:
    """A product priced 19.99 CNY that the orders service knows."""
    product_id = await _product(platform, operator_token, CNY_1999)
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
    platform, operator_token, customer
):
    orders = customer.orders
    product_id = await _product(platform, operator_token, CNY_1999)

    placed = await _place_when_known(platform, orders, _order((product_id, 2)))

    assert placed.status_code == 201
    order = placed.json()
    assert (order["customer_id"], order["status"]) == (customer.id, "placed")
    assert order["lines"] == [
        {
            "line_no": 0,
            "sku_id": product_id,
            "product_id": product_id,
            "quantity": 2,
            "list_price": CNY_1999,
            "unit_price": CNY_1999,
            "coupon_discount": None,
            "paid": {"amount": 3998, "currency": "CNY"},
        }
    ]
    assert order["total"] == {"amount": 3998, "currency": "CNY"}
    assert [(s["status"], s["cause"]) for s in order["history"]] == [
        ("placed", "placed by the customer")
    ]

    # A draft: staff see it (the storefront sees listed products only).
    async with platform.client("catalog", operator_token) as catalog:

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
        (_order(("not-a-uuid", 1)), "body.lines.0.sku_id"),
        ({"lines": [{"product_id": "not-a-uuid", "quantity": 1}]}, "body.lines.0.product_id"),
        ({"lines": [{"quantity": 1}]}, "body.lines.0.sku_id"),
        (
            {"lines": [{"sku_id": str(new_id()), "quantity": 1, "unit_price": CNY_1999}]},
            "body.lines.0.unit_price",
        ),
    ],
)
async def test_malformed_orders_are_422_naming_the_field(customer, body, field):
    response = await customer.orders.post(ORDERS, json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == [field]


async def test_an_unknown_sku_is_422_naming_its_line(customer, tea):
    orders = customer.orders
    unknown = str(new_id())
    response = await orders.post(ORDERS, json=_order((tea, 1), (unknown, 1)))
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "body.lines.1.sku_id",
            "message": f"{unknown} is not a SKU the catalog sells",
            "type": "value_error",
        }
    ]


async def test_the_former_line_field_product_id_still_places_an_order(customer, tea):
    placed = await customer.orders.post(
        ORDERS, json={"lines": [{"product_id": tea, "quantity": 1}]}
    )
    assert placed.status_code == 201
    assert placed.json()["lines"][0]["sku_id"] == tea


async def test_lines_in_two_currencies_are_422(platform, operator_token, customer, tea):
    orders = customer.orders
    mug = await _product(platform, operator_token, {"amount": 800, "currency": "USD"})
    assert (await _place_when_known(platform, orders, _order((mug, 1)))).status_code == 201

    response = await orders.post(ORDERS, json=_order((tea, 1), (mug, 1)))

    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["field"] == "body.lines.1.sku_id"
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
    platform, operator_token, customer, tea
):
    orders = customer.orders
    order_id = (await orders.post(ORDERS, json=_order((tea, 1)))).json()["id"]

    assert (await orders.get(f"{ORDERS}/{order_id}")).json()["id"] == order_id
    async with platform.client("orders", operator_token) as staff:
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
async def test_bad_paging_parameters_are_422(customer, params, field):
    response = await customer.orders.get(ORDERS, params=params)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field


async def test_a_product_delisted_in_catalog_is_refused_at_checkout(platform, customer):
    """Catalog's listing events reach the orders read model through the broker: listed,
    the SKU is ordered; delisted, checkout refuses it naming the line."""
    (_, submitter), (_, reviewer) = [await platform.staff("operator") for _ in range(2)]
    sku = await _product(platform, submitter, CNY_1999)
    async with (
        platform.client("catalog", submitter) as mine,
        platform.client("catalog", reviewer) as theirs,
    ):
        await mine.post(f"/api/v1/catalog/products/{sku}/submit")
        approved = await theirs.post(f"/api/v1/catalog/products/{sku}/approve", json={})
        assert approved.json()["state"] == "listed"
        await _read_model_shows(platform, _state_is(sku, "listed"))
        listed = await customer.orders.post(ORDERS, json=_order((sku, 1)))
        delisted = await mine.post(f"/api/v1/catalog/products/{sku}/delist")
        assert delisted.json()["state"] == "delisted"

    await _read_model_shows(platform, _state_is(sku, "delisted"))
    refused = await customer.orders.post(ORDERS, json=_order((sku, 1)))
    in_cart = await customer.orders.put(
        f"/api/v1/orders/carts/me/items/{sku}", json={"quantity": 1}
    )

    assert listed.status_code == 201
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {
            "field": "body.lines.0.sku_id",
            "message": f"{sku} was delisted: it is not on sale",
            "type": "value_error",
        }
    ]
    assert in_cart.status_code == 422
    assert in_cart.json()["errors"][0]["field"] == "path.sku_id"


async def test_a_price_change_in_catalog_reaches_the_cart_live(platform, customer):
    (_, operator) = await platform.staff("operator")
    sku = await _product(platform, operator, CNY_1999)
    await _read_model_shows(platform, _sku_known(sku))
    cart = "/api/v1/orders/carts/me"
    before = await customer.orders.put(f"{cart}/items/{sku}", json={"quantity": 2})
    async with platform.client("catalog", operator) as catalog:
        changed = await catalog.put(
            f"/api/v1/catalog/pricing/skus/{sku}",
            json={"list_price": {"amount": 1500, "currency": "CNY"}},
        )
    assert changed.status_code == 200

    async def repriced() -> dict | None:
        line = (await customer.orders.get(cart)).json()["lines"][0]
        return line if line["unit_price"]["amount"] == 1500 else None

    line = await eventually(repriced)
    assert before.json()["lines"][0]["line_total"] == {"amount": 3998, "currency": "CNY"}
    assert line["line_total"] == {"amount": 3000, "currency": "CNY"}
    order = await customer.orders.post(ORDERS, json=_order((sku, 1)))
    assert order.json()["total"] == {"amount": 1500, "currency": "CNY"}


def _state_is(product_id: str, state: str):
    async def check(session) -> bool:
        product = await session.get(CatalogProduct, UUID(product_id))
        return product is not None and product.state == state

    return check


def _sku_known(sku: str):
    async def check(session) -> bool:
        return await session.get(CatalogSku, UUID(sku)) is not None

    return check
