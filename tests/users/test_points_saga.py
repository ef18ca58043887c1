"""The saga's users side through the real broker: order events in, points events out."""

import orders
from aiokafka import AIOKafkaProducer
from observe import event_about

from chassis.events.outbox import envelope_for
from chassis.events.registry import registry
from chassis.testing import eventually


async def publish(platform, *events) -> None:
    """Publish events as the orders service's relay does: CloudEvents keyed by the order."""
    producer = AIOKafkaProducer(bootstrap_servers=platform.broker.bootstrap_servers)
    await producer.start()
    try:
        for data in events:
            envelope = envelope_for(data, source="/flywheel/orders")
            await producer.send_and_wait(
                registry.of(data).topic, envelope.to_bytes(), key=envelope.subject.encode()
            )
    finally:
        await producer.stop()


async def test_an_order_redeeming_points_is_answered_with_points_held(platform):
    user_id, token = await platform.customer()
    earning = orders.placed(user_id, 0, paid=1000)
    await publish(platform, orders.paid(earning), orders.completed(earning))

    async def ten_available():
        async with platform.client("users", token) as users:
            points = (await users.get("/api/v1/users/me/points")).json()
        return points if points["balance"] == 10 else None

    await eventually(ten_available, within=30)
    spending, greedy = orders.placed(user_id, 4), orders.placed(user_id, 7)
    await publish(platform, spending, greedy)
    bootstrap = platform.broker.bootstrap_servers
    held = await event_about(
        bootstrap, "flywheel.users.points", "flywheel.users.points.held.v1", str(spending.order_id)
    )
    refused = await event_about(
        bootstrap, "flywheel.users.points", "flywheel.users.points.refused.v1", str(greedy.order_id)
    )
    assert (held["data"]["points"], held["data"]["user_id"]) == (4, user_id)
    assert (refused["data"]["points"], refused["data"]["available"]) == (7, 6)
