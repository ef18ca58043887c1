"""Catalog products over real HTTP: products with SKUs, roles, validation, visibility, prices,
and the events they publish."""

import uuid

import pytest

from chassis.ids import new_id
from chassis.testing import eventually

PRODUCTS = "/api/v1/catalog/products"
CUP = {
    "name": "不锈钢真空保温杯",
    "brand": "Thermos",
    "attributes": {"颜色": ["红", "蓝"], "容量": ["350ml", "500ml"]},
    "media": ["https://img.example.com/cup.jpg"],
    "keywords": ["保温杯", "水杯"],
    "scenario_tags": ["通勤", "户外"],
}


def cup_skus(prefix: str) -> list[dict]:
    return [
        {
            "code": f"{prefix}-R350",
            "attributes": {"颜色": "红", "容量": "350ml"},
            "price": {"amount": 8900, "currency": "CNY"},
            "cost": {"amount": 4000, "currency": "CNY"},
            "stock": 30,
            "low_stock_threshold": 5,
        },
        {
            "code": f"{prefix}-B500",
            "attributes": {"颜色": "蓝", "容量": "500ml"},
            "price": {"amount": 9900, "currency": "CNY"},
            "stock": 0,
        },
    ]


async def _published(platform, operator_token, type_: str, subject: str) -> list[dict]:
    async def recorded():
        async with platform.client("analytics", operator_token) as analytics:
            response = await analytics.get(
                "/api/v1/analytics/events", params={"type": type_, "subject": subject}
            )
        return response.json()["items"]

    return await eventually(recorded)


async def test_operator_creates_a_draft_product_with_just_a_name(platform, operator):
    async with platform.client("catalog", operator) as catalog:
        created = await catalog.post(PRODUCTS, json={"name": "  Green tea  "})
        assert created.status_code == 201
        product = created.json()
        fetched = await catalog.get(f"{PRODUCTS}/{product['id']}")
    assert product["name"] == "Green tea"
    assert product["state"] == "draft"
    assert product["price"] is None
    assert product["skus"] == []
    assert fetched.json() == product


async def test_a_product_comes_with_its_skus_in_one_body(platform, operator, operator_token):
    prefix = new_id().hex[-8:]
    async with platform.client("catalog", operator) as catalog:
        created = await catalog.post(PRODUCTS, json={**CUP, "skus": cup_skus(prefix)})
    assert created.status_code == 201, created.text
    product = created.json()
    red, blue = product["skus"]
    assert product["price"] == {"amount": 8900, "currency": "CNY"}
    assert product["in_stock"] is True
    assert (red["code"], red["attributes"], red["on_hand"], red["stock"]) == (
        f"{prefix}-R350",
        {"颜色": "红", "容量": "350ml"},
        30,
        30,
    )
    assert red["cost"] == {"amount": 4000, "currency": "CNY"}
    assert (blue["on_hand"], blue["cost"]) == (0, None)
    assert product["keywords"] == ["保温杯", "水杯"]
    assert product["media"] == ["https://img.example.com/cup.jpg"]

    (event,) = await _published(
        platform, operator_token, "flywheel.catalog.product.created.v1", product["id"]
    )
    assert event["data"]["price"] == {"amount": 8900, "currency": "CNY"}
    assert [(s["sku_id"], s["price"]["amount"]) for s in event["data"]["skus"]] == [
        (red["id"], 8900),
        (blue["id"], 9900),
    ]
    assert "cost" not in event["data"]["skus"][0]


async def test_a_price_alone_is_one_sku_named_by_the_product_id(platform, operator, operator_token):
    async with platform.client("catalog", operator) as catalog:
        created = await catalog.post(
            PRODUCTS, json={"name": "Oolong", "price": {"amount": 2599, "currency": "CNY"}}
        )
    product = created.json()
    (sku,) = product["skus"]
    assert sku["id"] == product["id"]
    assert (sku["price"], sku["on_hand"], product["in_stock"]) == (product["price"], 0, False)
    (event,) = await _published(
        platform, operator_token, "flywheel.catalog.product.created.v1", product["id"]
    )
    assert event["source"] == "/flywheel/catalog"
    assert event["data"]["price"] == {"amount": 2599, "currency": "CNY"}


async def test_customer_may_not_create_products(platform):
    _, token = await platform.customer()
    async with platform.client("catalog", token) as catalog:
        response = await catalog.post(PRODUCTS, json={"name": "Nope"})
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"


async def test_missing_token_is_401(platform):
    async with platform.client("catalog") as catalog:
        response = await catalog.post(PRODUCTS, json={"name": "Nope"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def _with_sku(**changes) -> dict:
    sku = {"code": "X-1", "price": {"amount": 100, "currency": "CNY"}, **changes}
    return {"name": "x", "skus": [sku]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body.name"),
        ({"name": ""}, "body.name"),
        ({"name": "x", "price": {"amount": -1, "currency": "CNY"}}, "body.price.amount"),
        ({"name": "x", "price": {"amount": 100, "currency": "yuan"}}, "body.price.currency"),
        ({"name": "x", "price": {"amount": 100, "currency": "XYZ"}}, "body.price.currency"),
        ({"name": "x", "price": {"amount": 1.5, "currency": "CNY"}}, "body.price.amount"),
        ({"name": "x", "colour": "red"}, "body.colour"),
        (_with_sku(price={"amount": -5, "currency": "CNY"}), "body.skus.0.price.amount"),
        (_with_sku(price={"amount": 9.99, "currency": "CNY"}), "body.skus.0.price.amount"),
        (_with_sku(price={"amount": 100, "currency": "RMB"}), "body.skus.0.price.currency"),
        (_with_sku(cost={"amount": -1, "currency": "CNY"}), "body.skus.0.cost.amount"),
        (_with_sku(stock=-1), "body.skus.0.stock"),
        (_with_sku(stock=2.5), "body.skus.0.stock"),
        (_with_sku(stock="3"), "body.skus.0.stock"),
        (_with_sku(code="has space"), "body.skus.0.code"),
        (_with_sku(attributes={"颜色": "红"}), "body.skus.0.attributes"),
        ({**_with_sku(), "price": {"amount": 1, "currency": "CNY"}}, "body.price"),
        ({**CUP, "skus": cup_skus("dup")[:1] * 2}, "body.skus.1.code"),
        ({**CUP, "media": ["not a url"]}, "body.media.0"),
        ({"name": "x", "category_id": str(new_id())}, "body.category_id"),
        (_with_sku(weight_grams=0), "body.skus.0.weight_grams"),
        (_with_sku(weight_grams=-250), "body.skus.0.weight_grams"),
        (_with_sku(weight_grams=12.5), "body.skus.0.weight_grams"),
        (_with_sku(weight_grams="300"), "body.skus.0.weight_grams"),
        ({**_with_sku(), "weight_grams": 300}, "body.weight_grams"),
        (
            {"name": "x", "price": {"amount": 1, "currency": "CNY"}, "weight_grams": 0},
            "body.weight_grams",
        ),
    ],
)
async def test_bad_input_is_422_naming_the_field(platform, operator, body, field):
    async with platform.client("catalog", operator) as catalog:
        response = await catalog.post(PRODUCTS, json=body)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["status"] == 422
    assert field in [error["field"] for error in problem["errors"]]
    assert field in problem["detail"]


async def test_a_sku_code_taken_by_another_product_is_409(platform, operator):
    prefix = new_id().hex[-8:]
    async with platform.client("catalog", operator) as catalog:
        first = await catalog.post(PRODUCTS, json={**CUP, "skus": cup_skus(prefix)})
        second = await catalog.post(PRODUCTS, json={**CUP, "skus": cup_skus(prefix)})
    assert (first.status_code, second.status_code) == (201, 409)


async def test_unknown_product_is_404(platform):
    async with platform.client("catalog") as catalog:
        response = await catalog.get(f"{PRODUCTS}/{uuid.uuid4()}")
    assert response.status_code == 404
    assert response.json()["title"] == "Not Found"


async def test_a_draft_is_hidden_from_everyone_but_staff(platform, operator):
    _, customer = await platform.customer()
    async with platform.client("catalog", operator) as catalog:
        product = (await catalog.post(PRODUCTS, json={"name": "Secret"})).json()
    async with platform.client("catalog") as anonymous:
        hidden = await anonymous.get(f"{PRODUCTS}/{product['id']}")
    async with platform.client("catalog", customer) as catalog:
        also_hidden = await catalog.get(f"{PRODUCTS}/{product['id']}")
    assert (hidden.status_code, also_hidden.status_code) == (404, 404)


async def test_details_change_and_publish_the_product_with_its_skus(
    platform, operator, operator_token
):
    async with platform.client("catalog", operator) as catalog:
        product = (
            await catalog.post(PRODUCTS, json={**CUP, "skus": cup_skus(new_id().hex[-8:])})
        ).json()
        changed = await catalog.patch(
            f"{PRODUCTS}/{product['id']}", json={"name": "真空保温杯", "keywords": ["杯"]}
        )
        refused = await catalog.patch(
            f"{PRODUCTS}/{product['id']}", json={"attributes": {"颜色": ["红"]}}
        )
        nameless = await catalog.patch(f"{PRODUCTS}/{product['id']}", json={"name": None})
    assert changed.status_code == 200
    assert (changed.json()["name"], changed.json()["keywords"]) == ("真空保温杯", ["杯"])
    assert changed.json()["brand"] == "Thermos"
    assert refused.status_code == 422  # the blue SKU would no longer be a declared variant
    assert nameless.status_code == 422
    assert [e["field"] for e in nameless.json()["errors"]] == ["body.name"]
    (event,) = await _published(
        platform, operator_token, "flywheel.catalog.product.updated.v1", product["id"]
    )
    assert event["data"]["name"] == "真空保温杯"
    assert len(event["data"]["skus"]) == 2


async def test_a_skus_weight_is_kept_and_published_with_its_price(
    platform, operator, operator_token
):
    skus = cup_skus(new_id().hex[-8:])
    skus[0]["weight_grams"] = 420
    async with platform.client("catalog", operator) as catalog:
        created = await catalog.post(PRODUCTS, json={**CUP, "skus": skus})
        assert created.status_code == 201, created.text
        product = created.json()
        red, blue = product["skus"]
        fetched = (await catalog.get(f"{PRODUCTS}/{product['id']}")).json()
    assert (red["weight_grams"], blue["weight_grams"]) == (420, None)
    assert fetched["skus"][0]["weight_grams"] == 420
    (event,) = await _published(
        platform, operator_token, "flywheel.catalog.product.created.v1", product["id"]
    )
    weights = {s["sku_id"]: s["weight_grams"] for s in event["data"]["skus"]}
    assert weights == {red["id"]: 420, blue["id"]: None}


async def test_a_price_alone_takes_the_weight_of_its_one_sku(platform, operator, operator_token):
    async with platform.client("catalog", operator) as catalog:
        created = await catalog.post(
            PRODUCTS,
            json={
                "name": "Oolong",
                "price": {"amount": 2599, "currency": "CNY"},
                "weight_grams": 260,
            },
        )
    product = created.json()
    assert product["skus"][0]["weight_grams"] == 260
    (event,) = await _published(
        platform, operator_token, "flywheel.catalog.product.created.v1", product["id"]
    )
    assert event["data"]["skus"][0]["weight_grams"] == 260


async def test_a_skus_weight_changes_by_the_product_update(platform, operator, operator_token):
    async with platform.client("catalog", operator) as catalog:
        product = (
            await catalog.post(PRODUCTS, json={**CUP, "skus": cup_skus(new_id().hex[-8:])})
        ).json()
        red, blue = product["skus"]
        url = f"{PRODUCTS}/{product['id']}"
        changed = await catalog.patch(
            url, json={"skus": [{"sku_id": blue["id"], "weight_grams": 510}]}
        )
        zero = await catalog.patch(url, json={"skus": [{"sku_id": red["id"], "weight_grams": 0}]})
        stranger = await catalog.patch(
            url, json={"skus": [{"sku_id": str(new_id()), "weight_grams": 5}]}
        )
        after = (await catalog.get(url)).json()
    assert changed.status_code == 200, changed.text
    assert [s["weight_grams"] for s in changed.json()["skus"]] == [None, 510]
    assert zero.status_code == 422
    assert [e["field"] for e in zero.json()["errors"]] == ["body.skus.0.weight_grams"]
    assert stranger.status_code == 422
    assert [e["field"] for e in stranger.json()["errors"]] == ["body.skus.0.sku_id"]
    assert [s["weight_grams"] for s in after["skus"]] == [None, 510]  # nothing half-written
    (event,) = await _published(
        platform, operator_token, "flywheel.catalog.product.updated.v1", product["id"]
    )
    assert {s["sku_id"]: s["weight_grams"] for s in event["data"]["skus"]} == {
        red["id"]: None,
        blue["id"]: 510,
    }
