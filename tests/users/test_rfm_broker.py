"""RFM changes through the real broker: a payment then a refund published as the orders
service does are each announced once on flywheel.users.rfm, with the codes they moved."""

import orders
from observe import event_about, events_on

from chassis.testing import eventually

CHANGED = "flywheel.users.rfm.scores_changed.v1"
TOPIC = "flywheel.users.rfm"


async def test_a_paid_order_then_a_refund_announce_their_scores_once_each(platform):
    _, operator = await platform.staff("operator")
    cuts = {
        "recency_days": [7, 30, 90, 180],
        "frequency": [1, 2, 4, 8],
        "monetary": [999, 1999, 9999, 99999],
    }
    async with platform.client("users", operator) as users:
        assert (await users.put("/api/v1/users/rfm/cuts", json=cuts)).status_code == 200
    user_id, _ = await platform.customer()
    order = orders.placed(user_id, 0, paid=1500)
    await orders.publish(platform, orders.paid(order))
    bootstrap = platform.broker.bootstrap_servers
    first = await event_about(bootstrap, TOPIC, CHANGED, user_id)
    await orders.publish(platform, orders.refunded(order, 1000))

    async def announced():
        about = [
            (e["data"]["from_code"], e["data"]["to_code"], e["data"]["reason"])
            for e in await events_on(bootstrap, TOPIC)
            if (e["type"], e["subject"]) == (CHANGED, user_id)
        ]
        return about if len(about) >= 2 else None

    assert first["data"]["to_code"] == "512"
    assert await eventually(announced, within=30) == [
        (None, "512", "first_order"),
        ("512", "511", "refunded"),
    ]
