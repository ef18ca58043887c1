"""The saga's users side through the real broker: order events in, points events out."""

import orders
from observe import event_about

from chassis.testing import eventually


async def test_an_order_redeeming_points_is_answered_with_points_held(platform):
    user_id, token = await platform.customer()
    earning = orders.placed(user_id, 0, paid=1000)
    await orders.publish(platform, orders.paid(earning), orders.completed(earning))

    async def ten_available():
        async with platform.client("users", token) as users:
            points = (await users.get("/api/v1/users/me/points")).json()
        return points if points["balance"] == 10 else None

    await eventually(ten_available, within=30)
    # One after the other: keyed by order, two orders may land on different partitions and
    # be handled in either order.
    spending, greedy = orders.placed(user_id, 4), orders.placed(user_id, 7)
    await orders.publish(platform, spending)
    bootstrap = platform.broker.bootstrap_servers
    held = await event_about(
        bootstrap, "flywheel.users.points", "flywheel.users.points.held.v1", str(spending.order_id)
    )
    await orders.publish(platform, greedy)
    refused = await event_about(
        bootstrap, "flywheel.users.points", "flywheel.users.points.refused.v1", str(greedy.order_id)
    )
    assert (held["data"]["points"], held["data"]["user_id"]) == (4, user_id)
    assert (refused["data"]["points"], refused["data"]["available"]) == (7, 6)
