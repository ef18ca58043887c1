"""A product delisted as a whole during a flash session, through the real broker and HTTP:
campaigns learns the product's SKUs from the catalog's own product events (created and
listed by the test platform's catalog), then `product.delisted` published on the broker
stops both SKUs' items (a 409 naming `body.sku_id`) while another product's SKU sells on;
`product.listed` resumes them, and the delisting delivered again stops nothing (inbox)."""

from uuid import UUID

import pytest
from aiokafka import AIOKafkaProducer
from catalog_skus import FLASH, in_state, listed_product, listed_with_stock
from sqlalchemy import select

from chassis.clock import now
from chassis.events.envelope import CONTENT_TYPE
from chassis.events.outbox import envelope_for
from chassis.events.tables import inbox
from chassis.money import Money
from chassis.testing import eventually
from contracts.catalog import ProductDelisted, ProductListed, ProductUpdated, SkuPrice
from services.campaigns.flash.models import ProductSku

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def publish(platform):
    producer = AIOKafkaProducer(bootstrap_servers=platform.broker.bootstrap_servers)
    await producer.start()

    async def send(*envelopes) -> None:
        for envelope in envelopes:
            await producer.send_and_wait(
                "flywheel.catalog.product",
                envelope.to_bytes(),
                key=envelope.subject.encode(),
                headers=[("content-type", CONTENT_TYPE.encode())],
            )

    yield send
    await producer.stop()


def _envelope(data):
    return envelope_for(data, source="/flywheel/catalog")


def _skus(product: dict) -> list[SkuPrice]:
    return [
        SkuPrice(
            sku_id=UUID(s["id"]),
            code=s["code"],
            attributes=s["attributes"],
            price=Money.model_validate(s["price"]),
        )
        for s in product["skus"]
    ]


def _listed(product: dict):
    return _envelope(
        ProductListed(
            product_id=UUID(product["id"]), listed_at=now(), skus=_skus(product), approved_by=None
        )
    )


def _updated(product: dict):
    return _envelope(
        ProductUpdated(
            product_id=UUID(product["id"]),
            name=product["name"],
            state="listed",
            skus=_skus(product),
            updated_at=now(),
        )
    )


async def _db_has(platform, query) -> bool:
    db = platform.servers["campaigns"].app.state.db
    async with db.session() as session:
        return bool(list(await session.scalars(query)))


async def _stopped(platform, session_id: str, skus: set[str]) -> dict | None:
    """The session's page once exactly `skus` are stopped."""
    async with platform.client("campaigns") as anonymous:
        page = (await anonymous.get(f"{FLASH}/sessions/{session_id}")).json()
    stopped = {i["sku_id"] for i in page["items"] if i["stopped_at"] is not None}
    return page if stopped == skus else None


async def test_a_delisted_product_stops_its_skus_and_other_products_sell_on(
    platform, operator_token, publish
):
    product = await listed_product(platform, skus=2, on_hand=10)
    red, blue = (s["id"] for s in product["skus"])
    other = await listed_with_stock(platform, 10)
    item = {"flash_price": {"amount": 99_00, "currency": "CNY"}, "stock": 5, "per_user_limit": 5}
    async with platform.client("campaigns", operator_token) as staff:
        created = await staff.post(
            f"{FLASH}/sessions",
            json={
                "name": "22:00 秒杀",
                "starts_at": "2020-01-01T00:00:00Z",
                "ends_at": "2099-01-01T00:00:00Z",
                "items": [item | {"sku_id": sku} for sku in (red, blue, other)],
            },
        )
    assert created.status_code == 201, created.text
    flash = await in_state(platform, created.json()["id"], "held")
    # The product's SKUs, as the catalog's own product events told campaigns.
    known = select(ProductSku.sku_id).where(
        ProductSku.product_id == UUID(product["id"]), ProductSku.sku_id == UUID(blue)
    )
    assert await eventually(lambda: _db_has(platform, known), within=30)

    path = f"{FLASH}/{flash['id']}/reservations"
    _, token = await platform.customer()

    async def reserve(sku: str):
        async with platform.client("campaigns", token) as customer:
            return await customer.post(path, json={"sku_id": sku})

    assert (await reserve(red)).status_code == 201
    delisting = _envelope(ProductDelisted(product_id=UUID(product["id"]), delisted_at=now()))
    await publish(delisting)
    await eventually(lambda: _stopped(platform, flash["id"], {red, blue}), within=30)
    for sku in (red, blue):
        response = await reserve(sku)
        assert response.status_code == 409
        assert response.headers["content-type"].startswith("application/problem+json")
        assert [e["field"] for e in response.json()["errors"]] == ["body.sku_id"]
        assert "delisted" in response.json()["detail"]
    assert (await reserve(other)).status_code == 201

    # Listed again, both sell; the delisting delivered again (then a marker behind it on the
    # product's partition) stops nothing.
    await publish(_listed(product))
    await eventually(lambda: _stopped(platform, flash["id"], set()), within=30)
    assert (await reserve(blue)).status_code == 201
    marker = _updated(product)  # keeps the map, stops and resumes nothing
    await publish(delisting, marker)
    taken = select(inbox.c.event_id).where(inbox.c.event_id == marker.id)
    await eventually(lambda: _db_has(platform, taken), within=30)
    assert await _stopped(platform, flash["id"], set())
    assert (await reserve(red)).status_code == 201
