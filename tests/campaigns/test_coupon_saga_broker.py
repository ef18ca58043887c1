"""The coupon side of the order saga through the real broker: order events published as the
orders service does, answered by campaigns with coupons.locked / refused / redeemed /
released, and a coupon's state visible to its holder."""

from functools import partial
from uuid import UUID

import publishing
import pytest
from observe import event_about, events_on
from saga_events import cancelled, holding, paid, placed

from chassis.testing import eventually
from contracts.orders import CancelReason

pytestmark = pytest.mark.asyncio

TOPIC = "flywheel.campaigns.coupon"
TYPE = "flywheel.campaigns.coupons.{}.v1"


@pytest.fixture
def publish(platform):
    """Order events as orders' relay publishes them."""
    return partial(publishing.publish_as, platform, "/flywheel/orders")


async def _status(platform, token, coupon_id) -> str:
    async with platform.client("campaigns", token) as customer:
        items = (await customer.get("/api/v1/campaigns/me/coupons")).json()["items"]
    return next(c["status"] for c in items if c["id"] == str(coupon_id))


async def _answer(platform, verb: str, order_id) -> dict:
    return await event_about(
        platform.broker.bootstrap_servers, TOPIC, TYPE.format(verb), str(order_id)
    )


async def test_placed_then_paid_locks_then_redeems(platform, operator_token, publish):
    customer_id, token, coupon_id = await holding(platform, operator_token)
    order = placed(customer_id, [coupon_id])
    await publish(order)
    locked = await _answer(platform, "locked", order.order_id)
    assert locked["data"]["coupon_ids"] == [str(coupon_id)]
    assert await _status(platform, token, coupon_id) == "locked"

    await publish(paid(order))
    redeemed = await _answer(platform, "redeemed", order.order_id)
    assert redeemed["data"]["discount"] == {"amount": 40_00, "currency": "CNY"}
    assert await _status(platform, token, coupon_id) == "redeemed"


async def test_one_coupon_in_two_orders_is_locked_by_one(platform, operator_token, publish):
    customer_id, _, coupon_id = await holding(platform, operator_token)
    orders = [placed(customer_id, [coupon_id]), placed(customer_id, [coupon_id])]
    await publish(*orders)  # keyed by order: on two partitions, either may come first

    async def answered() -> dict | None:
        events = await events_on(platform.broker.bootstrap_servers, TOPIC)
        found = {
            e["subject"]: e for e in events if e["subject"] in {str(o.order_id) for o in orders}
        }
        return found if len(found) == 2 else None

    answers = sorted(e["type"] for e in (await eventually(answered, within=30)).values())
    assert answers == [TYPE.format("locked"), TYPE.format("refused")]
    refused = next(e for e in (await answered()).values() if e["type"] == TYPE.format("refused"))
    assert refused["data"]["reason"] == f"coupon {coupon_id}: in_use"


async def test_a_cancel_delivered_twice_releases_once(platform, operator_token, publish):
    customer_id, token, coupon_id = await holding(platform, operator_token)
    order = placed(customer_id, [coupon_id])
    await publish(order)
    await _answer(platform, "locked", order.order_id)
    await publish(cancelled(order, CancelReason.PAYMENT_TIMEOUT), cancelled(order))
    await _answer(platform, "released", order.order_id)

    async def usable() -> bool:
        return await _status(platform, token, coupon_id) == "claimed"

    assert await eventually(usable)
    # A later order locks it again: proof that both cancels were consumed before it.
    again = placed(customer_id, [coupon_id])
    await publish(again)
    await _answer(platform, "locked", again.order_id)
    events = await events_on(platform.broker.bootstrap_servers, TOPIC)
    releases = [
        e
        for e in events
        if e["type"] == TYPE.format("released") and e["subject"] == str(order.order_id)
    ]
    assert len(releases) == 1


async def test_another_customers_coupon_is_refused(platform, operator_token, publish):
    _, _, coupon_id = await holding(platform, operator_token)
    stranger, _ = await platform.customer()
    order = placed(UUID(stranger), [coupon_id])
    await publish(order)
    refused = await _answer(platform, "refused", order.order_id)
    assert refused["data"]["reason"] == f"coupon {coupon_id}: not_found"
