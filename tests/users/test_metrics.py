"""The metrics read model under concurrency: each payment and refund counted once, however
many deliveries race, and concurrent payments all counted; concurrent events move a stage once."""

import asyncio
from datetime import UTC, datetime, timedelta
from uuid import UUID

import orders
from deliver import behaviour, deliver
from sqlalchemy import update

from services.users.lifecycle import service as lifecycle
from services.users.metrics.models import UserActivity


async def activity(users, user_id: str) -> tuple[int, int]:
    async with users.db.session() as session:
        row = await session.get(UserActivity, UUID(user_id))
    return row.paid_orders, row.net_spend


async def test_racing_deliveries_count_each_payment_and_refund_once(users):
    user_id, _ = await users.register()
    order = orders.placed(user_id, 0, paid=10_000)
    await deliver(users, orders.paid(orders.placed(user_id, 0, paid=1)))  # the row exists
    same = orders.paid(order)
    await asyncio.gather(*(deliver(users, same) for _ in range(20)))
    assert await activity(users, user_id) == (2, 10_001)
    refund = orders.refunded(order, 4_000)
    await asyncio.gather(*(deliver(users, refund) for _ in range(20)))
    assert await activity(users, user_id) == (2, 6_001)
    too_much = orders.refunded(order, 50_000)  # never more than was paid
    await deliver(users, too_much)
    assert await activity(users, user_id) == (2, 1)


async def test_concurrent_payments_are_all_counted(users):
    user_id, _ = await users.register()
    await deliver(users, orders.paid(orders.placed(user_id, 0, paid=100)))
    paid = [orders.paid(orders.placed(user_id, 0, paid=100)) for _ in range(20)]
    await asyncio.gather(*(deliver(users, event) for event in paid))
    assert await activity(users, user_id) == (21, 2_100)


async def test_concurrent_visits_reactivate_a_dormant_user_once(users):
    user_id, _ = await users.register()
    await deliver(users, orders.paid(orders.placed(user_id, 0)))
    # turned dormant: as if the payment were 61 days old
    async with users.db.session() as session, session.begin():
        then = datetime.now(UTC) - timedelta(days=61)
        await session.execute(
            update(UserActivity)
            .where(UserActivity.user_id == UUID(user_id))
            .values(first_paid_at=then, last_paid_at=then, last_active_at=then)
        )
    await lifecycle.sweep(users.db)
    await asyncio.gather(*(deliver(users, behaviour(user_id)) for _ in range(20)))
    changes = await users.events("flywheel.users.lifecycle.changed.v1")
    assert [(c["from_stage"], c["to_stage"], c["reason"]) for c in changes] == [
        ("potential", "new", "first_order"),
        ("new", "dormant", "inactive"),
        ("dormant", "active", "reactivated"),
    ]
