"""A SKU the catalog delists during a flash session, through the real broker and HTTP: its
item takes no reservation (a 409 naming `body.sku_id`) while the session's other item sells
on; relisted, it sells again, and the delisting delivered again stops nothing (inbox)."""

from uuid import UUID

import pytest
from aiokafka import AIOKafkaProducer
from catalog_skus import FLASH, in_state, listed_with_stock
from sqlalchemy import select

from chassis.clock import now
from chassis.events.envelope import CONTENT_TYPE
from chassis.events.outbox import envelope_for
from chassis.events.tables import inbox
from chassis.ids import new_id
from chassis.testing import eventually
from contracts.catalog import SkuListingChanged

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def publish(platform):
    producer = AIOKafkaProducer(bootstrap_servers=platform.broker.bootstrap_servers)
    await producer.start()

    async def send(*envelopes) -> None:
        for envelope in envelopes:
            await producer.send_and_wait(
                "flywheel.catalog.sku",
                envelope.to_bytes(),
                key=envelope.subject.encode(),
                headers=[("content-type", CONTENT_TYPE.encode())],
            )

    yield send
    await producer.stop()


def _change(sku: str, listed: bool):
    data = SkuListingChanged(
        sku_id=UUID(sku), product_id=new_id(), listed=listed, by=new_id(), at=now()
    )
    return envelope_for(data, source="/flywheel/catalog")


async def _taken(platform, envelope) -> bool:
    db = platform.servers["campaigns"].app.state.db
    async with db.session() as session:
        found = await session.scalars(
            select(inbox.c.event_id).where(inbox.c.event_id == envelope.id)
        )
        return bool(list(found))


async def test_a_delisted_sku_stops_selling_and_the_others_sell_on(
    platform, operator_token, publish
):
    delisted, other = [await listed_with_stock(platform, 10) for _ in range(2)]
    item = {"flash_price": {"amount": 99_00, "currency": "CNY"}, "stock": 5, "per_user_limit": 5}
    async with platform.client("campaigns", operator_token) as staff:
        created = await staff.post(
            f"{FLASH}/sessions",
            json={
                "name": "22:00 秒杀",
                "starts_at": "2020-01-01T00:00:00Z",
                "ends_at": "2099-01-01T00:00:00Z",
                "items": [item | {"sku_id": delisted}, item | {"sku_id": other}],
            },
        )
    assert created.status_code == 201, created.text
    flash = await in_state(platform, created.json()["id"], "held")
    path = f"{FLASH}/{flash['id']}/reservations"
    _, token = await platform.customer()

    async def reserve(sku: str):
        async with platform.client("campaigns", token) as customer:
            return await customer.post(path, json={"sku_id": sku})

    assert (await reserve(delisted)).status_code == 201
    delisting = _change(delisted, listed=False)
    await publish(delisting)
    page = await eventually(lambda: _stopped(platform, flash["id"], {delisted}), within=30)
    assert [i["stopped_at"] is not None for i in page["items"]].count(True) == 1

    response = await reserve(delisted)
    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in response.json()["errors"]] == ["body.sku_id"]
    assert "delisted" in response.json()["detail"]
    assert (await reserve(other)).status_code == 201

    # Relisted, it sells again; the delisting delivered again (then a marker behind it on
    # the SKU's partition) stops nothing.
    await publish(_change(delisted, listed=True))
    await eventually(lambda: _stopped(platform, flash["id"], set()), within=30)
    assert (await reserve(delisted)).status_code == 201
    marker = _change(delisted, listed=True)
    await publish(delisting, marker)
    await eventually(lambda: _taken(platform, marker), within=30)
    assert await _stopped(platform, flash["id"], set())
    assert (await reserve(delisted)).status_code == 201


async def _stopped(platform, session_id: str, skus: set[str]) -> dict | None:
    """The session's page once exactly `skus` are stopped."""
    async with platform.client("campaigns") as anonymous:
        page = (await anonymous.get(f"{FLASH}/sessions/{session_id}")).json()
    stopped = {i["sku_id"] for i in page["items"] if i["stopped_at"] is not None}
    return page if stopped == skus else None
