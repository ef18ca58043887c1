"""Flash sessions and the catalog's hold of their stock through the real broker, against the
catalog of the test platform: a session goes on sale once the catalog holds its stock, its
end (by time or an operator's cancel) is announced once and the catalog gives the stock back,
whose figures campaigns keeps; a session the catalog refuses never goes on sale and shows
operators why. Catalog's answers delivered again change nothing."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

import publishing
import pytest
from catalog_skus import FLASH, catalog_stock, in_state, listed_with_stock
from observe import event_about, events_on
from sqlalchemy import select

from chassis.events import CloudEvent
from chassis.events.tables import inbox
from chassis.ids import new_id
from chassis.testing import eventually

pytestmark = pytest.mark.asyncio

TOPIC = "flywheel.campaigns.flash"
ENDED = "flywheel.campaigns.flash.session_ended.v1"
RETURNED = "flywheel.catalog.flash_stock.returned.v1"


def _session(sku: str, stock: int = 6, ends_in: timedelta = timedelta(hours=1)) -> dict:
    at = datetime.now(UTC)
    return {
        "name": "20:00 秒杀",
        "starts_at": (at - timedelta(minutes=1)).isoformat(),
        "ends_at": (at + ends_in).isoformat(),
        "items": [
            {
                "sku_id": sku,
                "flash_price": {"amount": 99_00, "currency": "CNY"},
                "stock": stock,
                "per_user_limit": 2,
            }
        ],
    }


async def _schedule(platform, operator_token, body: dict) -> dict:
    async with platform.client("campaigns", operator_token) as staff:
        created = await staff.post(f"{FLASH}/sessions", json=body)
    assert created.status_code == 201, created.text
    return created.json()


async def _stock_view(platform, operator_token, session_id: str) -> dict:
    async with platform.client("campaigns", operator_token) as staff:
        response = await staff.get(f"{FLASH}/sessions/{session_id}/stock")
    assert response.status_code == 200, response.text
    return response.json()


async def _ends(platform, session_id: str) -> list[dict]:
    events = await events_on(platform.broker.bootstrap_servers, TOPIC)
    return [e for e in events if e["type"] == ENDED and e["subject"] == session_id]


async def _returned(platform, operator_token, session_id: str) -> dict:
    async def recorded() -> dict | None:
        view = await _stock_view(platform, operator_token, session_id)
        return view if view["items"][0]["returned"] is not None else None

    return await eventually(recorded, within=30)


async def test_a_session_goes_on_sale_once_held_and_its_end_gives_the_stock_back_once(
    platform, operator_token
):
    sku = await listed_with_stock(platform, 10)
    flash = await _schedule(platform, operator_token, _session(sku, ends_in=timedelta(seconds=3)))
    scheduled = await event_about(
        platform.broker.bootstrap_servers,
        TOPIC,
        "flywheel.campaigns.flash.session_scheduled.v1",
        flash["id"],
    )
    assert scheduled["data"]["items"] == [{"sku_id": sku, "quantity": 6}]
    # The window closes after three seconds: the scheduler ends it, catalog returns the six.
    await in_state(platform, flash["id"], "ended")
    view = await _returned(platform, operator_token, flash["id"])
    assert view["state"] == "ended"
    assert [(i["hold"], i["sold"], i["returned"]) for i in view["items"]] == [("held", 0, 6)]
    stock = await catalog_stock(platform, sku)
    assert (stock["held"], stock["available"]) == (0, 10)
    (ended,) = await _ends(platform, flash["id"])
    assert ended["data"]["cancelled"] is False


async def test_a_cancelled_session_takes_no_reservation_and_redelivered_answers_change_nothing(
    platform, operator_token
):
    sku = await listed_with_stock(platform, 10)
    flash = await _schedule(platform, operator_token, _session(sku))
    await in_state(platform, flash["id"], "held")
    assert (await catalog_stock(platform, sku))["held"] == 6
    _, token = await platform.customer()
    path = f"{FLASH}/{flash['id']}/reservations"
    async with platform.client("campaigns", token) as customer:
        assert (await customer.post(path, json={"sku_id": sku})).status_code == 201
        # Customers neither cancel nor see the catalog's answers.
        assert (await customer.post(f"{FLASH}/sessions/{flash['id']}/cancel")).status_code == 403
        assert (await customer.get(f"{FLASH}/sessions/{flash['id']}/stock")).status_code == 403
    async with platform.client("campaigns", operator_token) as staff:
        cancelled = await staff.post(f"{FLASH}/sessions/{flash['id']}/cancel")
        again = await staff.post(f"{FLASH}/sessions/{flash['id']}/cancel")
        unknown = await staff.post(f"{FLASH}/sessions/{new_id()}/cancel")
    assert (cancelled.status_code, cancelled.json()["state"]) == (200, "cancelled")
    assert (again.status_code, unknown.status_code) == (409, 404)
    async with platform.client("campaigns", token) as customer:
        refused = await customer.post(path, json={"sku_id": sku})
    assert refused.status_code == 409
    assert "cancelled" in refused.json()["detail"]

    view = await _returned(platform, operator_token, flash["id"])
    assert [(i["sold"], i["returned"]) for i in view["items"]] == [(0, 6)]
    assert (await catalog_stock(platform, sku))["available"] == 10

    # Catalog's answer again: the same message, and the same answer with other figures.
    original = await event_about(
        platform.broker.bootstrap_servers, "flywheel.catalog.flash_stock", RETURNED, flash["id"]
    )
    other = original | {"id": str(new_id())}
    other["data"] = original["data"] | {"sold": 6, "returned": 0}
    await publishing.publish(platform, *map(CloudEvent.model_validate, (original, other)))
    campaigns_db = platform.servers["campaigns"].app.state.db

    async def taken() -> bool:
        async with campaigns_db.session() as session:
            ids = await session.scalars(
                select(inbox.c.event_id).where(inbox.c.event_id == UUID(other["id"]))
            )
            return bool(list(ids))

    await eventually(taken, within=30)
    view = await _stock_view(platform, operator_token, flash["id"])
    assert [(i["sold"], i["returned"]) for i in view["items"]] == [(0, 6)]
    (ended,) = await _ends(platform, flash["id"])
    assert ended["data"]["cancelled"] is True


async def test_a_session_the_catalog_refuses_is_never_on_sale_and_shows_why(
    platform, operator_token
):
    sku = await listed_with_stock(platform, 3)
    flash = await _schedule(platform, operator_token, _session(sku, stock=5))
    await in_state(platform, flash["id"], "refused")
    view = await _stock_view(platform, operator_token, flash["id"])
    (item,) = view["items"]
    assert (item["hold"], item["available"]) == ("refused", 3)
    assert item["refusal"] == (
        f"SKU {sku}: catalog could set aside 3 of the 5 units asked (0: unknown or not listed)"
    )
    _, token = await platform.customer()
    async with platform.client("campaigns", token) as customer:
        response = await customer.post(f"{FLASH}/{flash['id']}/reservations", json={"sku_id": sku})
    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "could not set its stock aside" in response.json()["detail"]
    (ended,) = await eventually(lambda: _ends(platform, flash["id"]), within=30)
    assert ended["data"]["cancelled"] is True
    assert (await catalog_stock(platform, sku))["available"] == 3
