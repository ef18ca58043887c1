"""Points: the ledger of the saga's users side, driven by order events in the handlers'
own transactions (the chassis' inbox is tested in tests/chassis; these redeliver on purpose
to show each step is also idempotent per order)."""

import asyncio
from uuid import UUID

import orders
import pytest
from sqlalchemy import func, select

from services.users.points import rules
from services.users.points.consumers import handlers
from services.users.points.models import PointsAccount, PointsEntry

HANDLERS = {h.fn.__name__: h for h in handlers(points_per_unit=1)}


async def deliver(users, *events) -> None:
    """Apply each event in a transaction of its own, as the consumer does."""
    for event in events:
        name = (
            "on_"
            + {
                "OrderPlaced": "order_placed",
                "OrderPaid": "order_paid",
                "OrderCancelled": "order_cancelled",
                "OrderCompleted": "order_completed",
                "RefundCompleted": "refund_completed",
            }[type(event).__name__]
        )
        async with users.db.session() as session, session.begin():
            await HANDLERS[name](event, session)


async def account(users, user_id: str) -> tuple[int, int, int]:
    """(available, frozen, held), after checking that the ledger sums to them."""
    async with users.db.session() as session:
        row = await session.scalar(
            select(PointsAccount).where(PointsAccount.user_id == UUID(user_id))
        )
        sums = (
            await session.execute(
                select(
                    func.coalesce(func.sum(PointsEntry.available_delta), 0),
                    func.coalesce(func.sum(PointsEntry.frozen_delta), 0),
                    func.coalesce(func.sum(PointsEntry.held_delta), 0),
                ).where(PointsEntry.user_id == UUID(user_id))
            )
        ).one()
    balances = (row.available, row.frozen, row.held) if row else (0, 0, 0)
    assert tuple(sums) == balances, "the ledger does not sum to the account"
    return balances


async def with_points(users, points: int) -> str:
    """A customer holding `points` available, earned by an order that completed."""
    user_id, _ = await users.register()
    order = orders.placed(user_id, 0, paid=points * 100)
    await deliver(users, orders.paid(order), orders.completed(order))
    return user_id


def test_earning_rounds_down_and_reversal_rounds_up_within_what_is_left():
    assert rules.earned(1999, 1) == 19
    assert rules.earned(99, 5) == 0
    assert rules.reversal(points=19, basis=1999, refunded=1000, already=0) == 10
    assert rules.reversal(points=19, basis=1999, refunded=999, already=10) == 9
    assert rules.reversal(points=19, basis=1999, refunded=1999, already=19) == 0
    assert rules.reversal(points=19, basis=1999, refunded=5000, already=0) == 19


async def test_earned_points_stay_frozen_until_the_order_completes(users):
    user_id, token = await users.customer()
    order = orders.placed(user_id, 0, paid=2550)
    await deliver(users, orders.paid(order), orders.paid(order))
    assert await account(users, user_id) == (0, 25, 0)
    await deliver(users, orders.completed(order), orders.completed(order))
    assert await account(users, user_id) == (25, 0, 0)
    async with users.client(token) as client:
        mine = (await client.get("/api/v1/users/me/points")).json()
    assert (mine["balance"], mine["frozen"], mine["held"]) == (25, 0, 0)
    assert [e["kind"] for e in mine["ledger"]["items"]] == ["unfrozen", "earned"]
    earned = await users.events("flywheel.users.points.earned.v1")
    assert [(e["points"], e["frozen"]) for e in earned] == [(25, True)]


async def test_a_hold_is_taken_on_payment_and_never_released_after(users):
    user_id = await with_points(users, 10)
    order = orders.placed(user_id, 4)
    await deliver(users, order, order)  # a redelivery holds nothing more
    assert await account(users, user_id) == (6, 0, 4)
    await deliver(users, orders.paid(order), orders.cancelled(order))
    assert await account(users, user_id) == (6, 10, 0)  # 4 spent; 10 earned on this order
    held = await users.events("flywheel.users.points.held.v1")
    assert [(h["order_id"], h["points"]) for h in held] == [(str(order.order_id), 4)]
    assert len(await users.events("flywheel.users.points.spent.v1")) == 1
    assert await users.events("flywheel.users.points.released.v1") == []


async def test_a_cancellation_returns_exactly_what_was_held_once(users):
    user_id = await with_points(users, 10)
    order = orders.placed(user_id, 7)
    await deliver(users, order, orders.cancelled(order), orders.cancelled(order))
    assert await account(users, user_id) == (10, 0, 0)
    released = await users.events("flywheel.users.points.released.v1")
    assert [r["points"] for r in released] == [7]


async def test_more_than_the_balance_is_refused_whole(users):
    user_id = await with_points(users, 3)
    order = orders.placed(user_id, 5)
    await deliver(users, order, orders.cancelled(order))
    assert await account(users, user_id) == (3, 0, 0)
    refused = await users.events("flywheel.users.points.refused.v1")
    assert [(r["points"], r["available"]) for r in refused] == [(5, 3)]
    assert await users.events("flywheel.users.points.held.v1") == []


async def test_refunds_reverse_the_earned_share_and_never_go_negative(users):
    user_id, _ = await users.register()
    order = orders.placed(user_id, 0, paid=2000)
    first, second = orders.refunded(order, 500), orders.refunded(order, 1500)
    await deliver(users, orders.paid(order), first, first)
    assert await account(users, user_id) == (0, 15, 0)  # 20 earned, 5 reversed once
    await deliver(users, orders.completed(order))
    assert await account(users, user_id) == (15, 0, 0)
    spend = orders.placed(user_id, 12)
    await deliver(users, spend, orders.paid(spend))
    await deliver(users, second)
    available, frozen, held = await account(users, user_id)
    # 15 left to reverse, 3 available: 3 taken, 12 unrecovered; the new order's 10 stay frozen
    assert (available, frozen, held) == (0, 10, 0)
    reversed_ = await users.events("flywheel.users.points.reversed.v1")
    assert [(r["points"], r["unrecovered"]) for r in reversed_] == [(5, 0), (3, 12)]


async def test_concurrent_holds_never_overdraw(users):
    user_id = await with_points(users, 10)
    placed = [orders.placed(user_id, 1) for _ in range(50)]

    async def hold(event):
        async with users.db.session() as session, session.begin():
            await HANDLERS["on_order_placed"](event, session)

    await asyncio.gather(*(hold(event) for event in placed))
    assert await account(users, user_id) == (0, 0, 10)
    assert len(await users.events("flywheel.users.points.held.v1")) == 10
    assert len(await users.events("flywheel.users.points.refused.v1")) == 40


async def test_points_need_a_token_and_show_only_the_callers(users):
    await with_points(users, 10)
    _, stranger = await users.customer()
    async with users.client() as client:
        assert (await client.get("/api/v1/users/me/points")).status_code == 401
    async with users.client(stranger) as client:
        mine = (await client.get("/api/v1/users/me/points")).json()
    assert (mine["balance"], mine["ledger"]["items"]) == (0, [])


@pytest.mark.parametrize("limit", [0, 101])
async def test_bad_ledger_paging_is_422(users, limit):
    _, token = await users.customer()
    async with users.client(token) as client:
        response = await client.get("/api/v1/users/me/points", params={"limit": limit})
    assert response.json()["errors"][0]["field"] == "query.limit"
