"""Time windows in segments stay true as time passes: timers set when a user is evaluated fire
on the window's edge, once however many schedulers race, and the daily sweep repairs what
lost timers missed."""

import asyncio
import json
from datetime import timedelta
from uuid import UUID

import orders
from deliver import deliver
from sqlalchemy import select

from services.users.accounts.models import User
from services.users.checkins.models import CheckIn
from services.users.segments import service as segments

ENTERED = "flywheel.users.segment.entered.v1"
LEFT = "flywheel.users.segment.left.v1"
ORDERED_30 = {"field": "metrics.last_paid_at", "op": "within_days", "value": 30}
NO_LOGIN_60 = {"not": {"field": "logins.last_login_at", "op": "within_days", "value": 60}}


async def saved(users, operator: str, name: str, rule: dict) -> str:
    async with users.client(operator) as client:
        response = await client.post("/api/v1/users/segments", json={"name": name, "rule": rule})
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def moves(users, segment_id: str, user_id: str) -> list[str]:
    """ "in" / "out" of the segment for the user, in the order published."""
    rows = await users.sql(
        "SELECT type, payload FROM outbox WHERE type IN (:a, :b) ORDER BY seq", a=ENTERED, b=LEFT
    )
    found = []
    for row in rows:
        data = json.loads(row.payload)["data"]
        if (data["segment_id"], data["user_id"]) == (segment_id, user_id):
            found.append("in" if row.type == ENTERED else "out")
    return found


async def test_ordered_in_the_last_30_days_is_left_on_the_day_once(users):
    _, operator = await users.staff("operator")
    segment_id = await saved(users, operator, "ordered in 30 days", ORDERED_30)
    user_id, _ = await users.register()
    paid = orders.paid(orders.placed(user_id, 0))
    await deliver(users, paid)
    assert await moves(users, segment_id, user_id) == ["in"]

    async with users.db.session() as session:
        [timer] = (await session.execute(segments.TIMERS.select())).all()
    paid_at = timer.due_at - timedelta(days=30)  # the payment as recorded
    assert await segments.fire_due(users.db, at=paid_at + timedelta(days=29)) == 0
    fired = await asyncio.gather(
        *(segments.fire_due(users.db, at=paid_at + timedelta(days=30)) for _ in range(5))
    )
    assert sum(fired) == 1  # one scheduler took it; the others found it gone or locked
    assert await moves(users, segment_id, user_id) == ["in", "out"]
    assert await segments.fire_due(users.db, at=paid_at + timedelta(days=400)) == 0  # no timer

    await deliver(users, orders.paid(orders.placed(user_id, 0)))  # a new order: back in
    assert await moves(users, segment_id, user_id) == ["in", "out", "in"]


async def test_no_login_for_60_days_is_entered_by_the_timer_and_left_by_a_login(users):
    _, operator = await users.staff("operator")
    never, _ = await users.register()  # never signed in: a member from the start
    user_id, email = await users.register()
    await users.login(email)
    segment_id = await saved(users, operator, "no login in 60 days", NO_LOGIN_60)
    assert await moves(users, segment_id, user_id) == []  # signed in just now

    async with users.db.session() as session:
        user = await session.get(User, UUID(user_id))
    due = user.last_login_at + timedelta(days=60)
    await segments.fire_due(users.db, at=due - timedelta(seconds=1))
    assert await moves(users, segment_id, user_id) == []
    await segments.fire_due(users.db, at=due)
    assert await moves(users, segment_id, user_id) == ["in"]
    await users.login(email)
    assert await moves(users, segment_id, user_id) == ["in", "out"]
    assert await moves(users, segment_id, never) == ["in"]


async def test_the_sweep_repairs_memberships_whose_timers_were_lost(users):
    _, operator = await users.staff("operator")
    segment_id = await saved(users, operator, "ordered in 30 days", ORDERED_30)
    user_id, _ = await users.register()
    paid = orders.paid(orders.placed(user_id, 0))
    await deliver(users, paid)
    async with users.db.session() as session, session.begin():
        [due] = (await session.execute(segments.TIMERS.select())).all()
        await session.execute(segments.TIMERS.delete())  # lost

    assert await segments.fire_due(users.db, at=due.due_at) == 0  # nothing left to fire it
    assert await segments.sweep(users.db, at=due.due_at) == 1
    assert await moves(users, segment_id, user_id) == ["in", "out"]
    assert await segments.sweep(users.db, at=due.due_at) == 0  # nothing more to fix


PAID_3_IN_30 = {"field": "events.paid_orders", "op": "gte", "value": 3, "days": 30}


def paid_days_ago(user_id: str, days: int):
    order = orders.paid(orders.placed(user_id, 0))
    return order.model_copy(update={"paid_at": order.paid_at - timedelta(days=days)})


async def timer_of(users, segment_id: str, user_id: str):
    async with users.db.session() as session:
        rows = (await session.execute(segments.TIMERS.select())).all()
    found = [r.due_at for r in rows if (str(r.segment_id), str(r.user_id)) == (segment_id, user_id)]
    return found[0] if found else None


async def test_three_paid_orders_in_30_days_holds_until_the_third_grows_old(users):
    _, operator = await users.staff("operator")
    before, _ = await users.register()  # paid before the segment exists: the backfill's case
    early = [paid_days_ago(before, days) for days in (20, 10, 5, 0)]
    await deliver(users, *early)
    segment_id = await saved(users, operator, "3 paid in 30 days", PAID_3_IN_30)
    after, _ = await users.register()  # paid after: the events' case
    late = [paid_days_ago(after, days) for days in (20, 10, 5, 0)]
    await deliver(users, late[0], late[1])
    assert await moves(users, segment_id, after) == []  # two are not three
    await deliver(users, late[2], late[3])

    for user_id, paid in ((before, early), (after, late)):
        assert await moves(users, segment_id, user_id) == ["in"]
        # the 20-day-old order leaves the window in 10 days: three are left, still in
        first_edge = paid[0].paid_at + timedelta(days=30)
        assert await timer_of(users, segment_id, user_id) == first_edge
    first_edge = early[0].paid_at + timedelta(days=30)
    assert await segments.fire_due(users.db, at=first_edge - timedelta(seconds=1)) == 0
    await segments.fire_due(users.db, at=late[0].paid_at + timedelta(days=30))
    for user_id, paid in ((before, early), (after, late)):
        assert await moves(users, segment_id, user_id) == ["in"]
        second_edge = paid[1].paid_at + timedelta(days=30)
        assert await timer_of(users, segment_id, user_id) == second_edge
    # the 10-day-old one leaves too: two are left, out
    await segments.fire_due(users.db, at=late[1].paid_at + timedelta(days=30))
    for user_id, paid in ((before, early), (after, late)):
        assert await moves(users, segment_id, user_id) == ["in", "out"]
        assert await timer_of(users, segment_id, user_id) == paid[2].paid_at + timedelta(days=30)


async def test_checked_in_within_7_days_is_left_by_its_timer_on_the_7th_day(users):
    _, operator = await users.staff("operator")
    rule = {"field": "events.check_ins", "op": "gte", "value": 1, "days": 7}
    segment_id = await saved(users, operator, "checked in this week", rule)
    user_id, token = await users.customer()
    async with users.client(token) as client:
        assert (await client.post("/api/v1/users/me/check-ins")).status_code == 201
    assert await moves(users, segment_id, user_id) == ["in"]
    async with users.db.session() as session:
        checked = await session.scalar(select(CheckIn.checked_in_at))
    due = await timer_of(users, segment_id, user_id)
    assert due == checked + timedelta(days=7)
    assert await segments.fire_due(users.db, at=due - timedelta(seconds=1)) == 0
    assert await segments.fire_due(users.db, at=due) == 1
    assert await moves(users, segment_id, user_id) == ["in", "out"]
