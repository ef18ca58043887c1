"""The campaigns service with REDIS_URL set: reservations take Redis stock through the real
route, and the session page shows Redis's count."""

import httpx
import pytest
from flash_setup import held_by_catalog
from redis.asyncio import Redis
from sqlalchemy import select
from test_flash_api import FLASH, _session

from chassis.db import Database
from chassis.testing import ServiceServer, need
from services.campaigns.app import create_app
from services.campaigns.flash.models import FlashItem
from services.campaigns.flash.stock import keys, stream
from services.campaigns.settings import Settings

pytestmark = pytest.mark.redis


@pytest.fixture
async def on_redis(platform, tmp_path):
    need("Redis", 6379)
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'campaigns.db'}",
        kafka_enabled=False,
        jwks_url=f"{platform.servers['users'].url}/api/v1/users/.well-known/jwks.json",
        redis_url="redis://127.0.0.1:6379/0",
    )
    server = await ServiceServer(create_app(settings)).start()
    yield server
    await server.stop()


async def test_reservations_take_the_stock_kept_in_redis(platform, on_redis):
    _, operator = await platform.staff("operator")
    _, token = await platform.customer()
    headers = {"Authorization": f"Bearer {operator}"}
    async with httpx.AsyncClient(base_url=on_redis.url, timeout=10) as client:
        created = await client.post(f"{FLASH}/sessions", json=_session(), headers=headers)
        assert created.status_code == 201, created.text
        flash = created.json()
        item_sku = flash["items"][0]["sku_id"]
        db = Database(on_redis.app.state.db.url.render_as_string(), service="campaigns")
        try:
            await held_by_catalog(db, flash)  # no broker here: catalog's answer, taken
        finally:
            await db.dispose()
        reserved = await client.post(
            f"{FLASH}/{flash['id']}/reservations",
            json={"sku_id": item_sku},
            headers={"Authorization": f"Bearer {token}"},
        )
        shown = (await client.get(f"{FLASH}/sessions/{flash['id']}")).json()
        # Written down by then, or at once by the read that misses it.
        mine = await client.get(
            f"{FLASH}/reservations/{reserved.json()['id']}",
            headers={"Authorization": f"Bearer {token}"},
        )
    assert reserved.status_code == 201
    assert mine.json() == reserved.json()
    assert shown["items"][0]["left"] == 1

    # The database's count did not move: Redis holds the stock, and the page read it there.
    db = Database(on_redis.app.state.db.url.render_as_string(), service="campaigns")
    try:
        async with db.session() as session:
            item = await session.scalar(select(FlashItem))
    finally:
        await db.dispose()
    redis = Redis.from_url("redis://127.0.0.1:6379/0")
    try:
        assert (item.stock_left, int(await redis.get(keys(item.session_id, item.id)[0]))) == (2, 1)
    finally:
        await redis.delete(*keys(item.session_id, item.id), stream(item.session_id))
        await redis.aclose()
