"""A cancelled flash session's reservations through HTTP and the real broker: the customer's
reservation reads `voided` (orders reads it so at checkout and refuses it), and an order
naming it anyway is refused by campaigns' side of the saga; one ordered before the cancel
goes on with its order."""

from functools import partial
from uuid import UUID

import publishing
import pytest
from catalog_skus import FLASH, held_session, listed_with_stock
from observe import event_about
from saga_events import cny, placed

from contracts.orders import Attribution, OrderLine

pytestmark = pytest.mark.asyncio

COUPONS = "flywheel.campaigns.coupon"
REFUSED = "flywheel.campaigns.coupons.refused.v1"
LOCKED = "flywheel.campaigns.coupons.locked.v1"


@pytest.fixture
def publish(platform):
    """Order events as orders' relay publishes them."""
    return partial(publishing.publish_as, platform, "/flywheel/orders")


def _order(customer_id: str, reservation: dict):
    """The order orders would place with the reservation: its SKU at the flash price."""
    flash_line = OrderLine(
        sku_id=UUID(reservation["sku_id"]),
        quantity=1,
        list_price=cny(150_00),
        unit_price=cny(99_00),
        paid=cny(99_00),
    )
    order = placed(UUID(customer_id), [], flash_line)
    attribution = Attribution(
        flash_reservation_id=UUID(reservation["id"]),
        flash_session_id=UUID(reservation["session_id"]),
        flash_sku_id=UUID(reservation["sku_id"]),
    )
    return order.model_copy(update={"attribution": attribution})


async def test_a_cancel_voids_the_sessions_open_reservations(platform, operator_token, publish):
    sku = await listed_with_stock(platform, 10)
    flash = await held_session(platform, operator_token, sku, stock=4, limit=1)
    (ordered_id, ordered_token), (open_id, open_token) = [await platform.customer() for _ in "ab"]
    reservations = {}
    for token in (ordered_token, open_token):
        async with platform.client("campaigns", token) as customer:
            reserved = await customer.post(
                f"{FLASH}/{flash['id']}/reservations", json={"sku_id": sku}
            )
        assert reserved.status_code == 201, reserved.text
        reservations[token] = reserved.json()
    # One is ordered before the cancel: its order keeps it.
    before = _order(ordered_id, reservations[ordered_token])
    await publish(before)
    await event_about(platform.broker.bootstrap_servers, COUPONS, LOCKED, str(before.order_id))

    async with platform.client("campaigns", operator_token) as staff:
        cancelled = await staff.post(f"{FLASH}/sessions/{flash['id']}/cancel")
    assert cancelled.status_code == 200, cancelled.text

    async with platform.client("campaigns", open_token) as customer:
        read = await customer.get(f"{FLASH}/reservations/{reservations[open_token]['id']}")
    assert (read.status_code, read.json()["status"]) == (200, "voided")
    async with platform.client("campaigns", ordered_token) as customer:
        kept = await customer.get(f"{FLASH}/reservations/{reservations[ordered_token]['id']}")
    assert kept.json()["status"] == "ordered"

    # An order naming the voided reservation anyway (orders read it before the cancel).
    after = _order(open_id, reservations[open_token])
    await publish(after)
    refused = await event_about(
        platform.broker.bootstrap_servers, COUPONS, REFUSED, str(after.order_id)
    )
    assert refused["data"]["reason"] == (
        f"flash reservation {reservations[open_token]['id']}: voided"
    )
