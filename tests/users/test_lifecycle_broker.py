"""Lifecycle and membership through the real broker: a payment published as the orders
service does moves the customer to `new` and lifts their tier, each announced on its topic."""

import orders
from observe import event_about


async def test_a_paid_order_on_the_broker_publishes_lifecycle_and_tier_changes(platform):
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
    assert (changed["data"]["from_stage"], changed["data"]["to_stage"]) == ("potential", "new")
    assert (changed["data"]["reason"], changed["data"]["rule_version"]) == ("first_order", 1)
    assert (tier["data"]["to_tier"], tier["data"]["spend_12m"]) == ("silver", 150_000)
