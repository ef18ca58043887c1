"""Lifecycle, membership and segments through the real broker: a payment published as the
orders service does moves the customer to `new`, lifts their tier and puts them in a segment,
each announced on its topic."""

import orders
from observe import event_about

from chassis.ids import new_id


async def test_a_paid_order_on_the_broker_publishes_lifecycle_and_tier_changes(platform):
    _, operator = await platform.staff("operator")
    async with platform.client("users", operator) as users:
        saved = await users.post(
            "/api/v1/users/segments",
            json={
                "name": f"silver buyers {new_id().hex[:8]}",
                "rule": {"field": "membership.tier", "op": "eq", "value": "silver"},
            },
        )
    assert saved.status_code == 201
    user_id, _ = await platform.customer()
    order = orders.placed(user_id, 0, paid=150_000)
    await orders.publish(platform, orders.paid(order))
    bootstrap = platform.broker.bootstrap_servers
    changed = await event_about(
        bootstrap, "flywheel.users.lifecycle", "flywheel.users.lifecycle.changed.v1", user_id
    )
    tier = await event_about(
        bootstrap, "flywheel.users.membership", "flywheel.users.tier.changed.v1", user_id
    )
    entered = await event_about(
        bootstrap, "flywheel.users.segment", "flywheel.users.segment.entered.v1", user_id
    )
    assert entered["data"]["segment_id"] == saved.json()["id"]
    assert (changed["data"]["from_stage"], changed["data"]["to_stage"]) == ("potential", "new")
    assert (changed["data"]["reason"], changed["data"]["rule_version"]) == ("first_order", 1)
    assert (tier["data"]["to_tier"], tier["data"]["spend_12m"]) == ("silver", 150_000)
