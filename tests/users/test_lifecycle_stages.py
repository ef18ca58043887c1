"""The lifecycle in the service: events move users, durable timers move them on the day,
redeliveries move nothing twice, operators version the rules, the sweep reports what it fixed,
and the service's own scheduler fires the timers."""

import asyncio
from datetime import UTC, datetime, timedelta
from uuid import UUID

import orders
from deliver import deliver
from prometheus_client import REGISTRY
from sqlalchemy import delete, update

from chassis.testing import eventually
from services.users.lifecycle import service as lifecycle
from services.users.lifecycle.models import LifecycleTimer
from services.users.metrics.models import UserActivity

CHANGED = "flywheel.users.lifecycle.changed.v1"
RULES = {
    "new_days": 30,
    "dormant_days": 60,
    "churned_days": 180,
    "high_value_spend": 500_000,
    "high_value_orders": 3,
}


async def change(users, model, user_id: str, **values) -> None:
    """Set columns of the user's row of `model` (the tables' own types, on either database)."""
    async with users.db.session() as session, session.begin():
        await session.execute(update(model).where(model.user_id == UUID(user_id)).values(**values))


CHANGE_1 = {"expected_version": 1, **RULES}


def moves(events: list[dict], user_id: str) -> list[tuple]:
    return [
        (e["from_stage"], e["to_stage"], e["reason"], e["rule_version"])
        for e in events
        if e["user_id"] == user_id
    ]


async def stage(users, operator: str, user_id: str) -> dict:
    async with users.client(operator) as client:
        response = await client.get(f"/api/v1/users/users/{user_id}/lifecycle")
    assert response.status_code == 200
    return response.json()


async def test_a_user_moves_through_the_lifecycle_by_events_and_timers(users):
    _, operator = await users.staff("operator")
    user_id, _ = await users.register()
    assert (await stage(users, operator, user_id))["stage"] == "potential"

    order = orders.placed(user_id, 0, paid=10_000)
    paid = orders.paid(order)
    await deliver(users, paid, paid)  # redelivered: one move
    first = await stage(users, operator, user_id)
    assert first["stage"] == "new"
    due = datetime.fromisoformat(first["next_check_at"])
    assert due == paid.paid_at + timedelta(days=30)
    assert moves(await users.events(CHANGED), user_id) == [("potential", "new", "first_order", 1)]

    assert await lifecycle.fire_due(users.db, at=due - timedelta(seconds=1)) == 0
    assert await lifecycle.fire_due(users.db, at=due) == 1  # on the day, not at a batch
    active = await stage(users, operator, user_id)
    assert active["stage"] == "active"
    dormant_at = datetime.fromisoformat(active["next_check_at"])
    assert dormant_at == paid.paid_at + timedelta(days=60)
    assert await lifecycle.fire_due(users.db, at=dormant_at) == 1
    assert (await stage(users, operator, user_id))["stage"] == "dormant"
    assert await lifecycle.fire_due(users.db, at=dormant_at) == 0  # fired once

    # a visit the day after: as if that day had come (the metrics cap client clocks at now)
    next_day = dormant_at + timedelta(days=1)
    await change(users, UserActivity, user_id, last_active_at=next_day)
    async with users.db.session() as session, session.begin():
        await lifecycle.decide(session, UUID(user_id), at=next_day)
    assert (await stage(users, operator, user_id))["stage"] == "active"
    assert moves(await users.events(CHANGED), user_id) == [
        ("potential", "new", "first_order", 1),
        ("new", "active", "new_period_over", 1),
        ("active", "dormant", "inactive", 1),
        ("dormant", "active", "reactivated", 1),
    ]


async def test_spend_makes_a_user_high_value_and_a_refund_takes_it_away(users):
    _, operator = await users.staff("operator")
    user_id, _ = await users.register()
    placed = [orders.placed(user_id, 0, paid=200_000) for _ in range(3)]
    await deliver(users, *(orders.paid(o) for o in placed))
    assert (await stage(users, operator, user_id))["stage"] == "high_value"
    refund = orders.refunded(placed[0], 150_000)
    await deliver(users, refund, refund)
    assert (await stage(users, operator, user_id))["stage"] == "new"
    assert moves(await users.events(CHANGED), user_id) == [
        ("potential", "new", "first_order", 1),
        ("new", "high_value", "spend_reached", 1),
        ("high_value", "new", "spend_fell", 1),
    ]


async def test_operators_version_the_rules_and_every_user_is_decided_again(users):
    operator_id, operator = await users.staff("operator")
    user_id, _ = await users.register()
    await deliver(users, orders.paid(orders.placed(user_id, 0)))
    async with users.client(operator) as client:
        current = (await client.get("/api/v1/users/lifecycle/rules")).json()
        changed = await client.put(
            "/api/v1/users/lifecycle/rules",
            json={**CHANGE_1, "high_value_spend": 1_000, "high_value_orders": 1},
        )
        stale = await client.put(
            "/api/v1/users/lifecycle/rules", json={"expected_version": 1, **RULES}
        )
        crossed = await client.put(
            "/api/v1/users/lifecycle/rules",
            json={"expected_version": 2, **RULES, "dormant_days": 30},
        )
        fractional = await client.put(
            "/api/v1/users/lifecycle/rules",
            json={"expected_version": 2, **RULES, "new_days": 1.5},
        )
    assert (current["version"], current["dormant_days"]) == (1, 60)
    assert changed.status_code == 200
    assert (changed.json()["version"], changed.json()["created_by"]) == (2, operator_id)
    assert stale.status_code == 409
    assert crossed.status_code == 422
    assert [e["field"] for e in crossed.json()["errors"]] == ["body.dormant_days"]
    assert [e["field"] for e in fractional.json()["errors"]] == ["body.new_days"]
    # every timer is due now: the next turn decides the user under version 2
    assert await lifecycle.fire_due(users.db) == 1
    moved = await stage(users, operator, user_id)
    assert (moved["stage"], moved["rule_version"]) == ("high_value", 2)
    assert moves(await users.events(CHANGED), user_id)[-1] == (
        "new",
        "high_value",
        "rules_changed",
        2,
    )


async def test_concurrent_rule_changes_make_one_next_version(users):
    _, operator = await users.staff("operator")
    async with users.client(operator) as client:
        answers = await asyncio.gather(
            *(
                client.put(
                    "/api/v1/users/lifecycle/rules",
                    json={"expected_version": 1, **RULES, "new_days": 10 + i},
                )
                for i in range(10)
            )
        )
    assert sorted(a.status_code for a in answers) == [200] + [409] * 9
    versions = await users.sql("SELECT version FROM lifecycle_rules ORDER BY version")
    assert [v.version for v in versions] == [1, 2]


async def test_the_sweep_fixes_what_the_timers_missed_and_reports_it(users):
    _, operator = await users.staff("operator")
    lost, late, fine = [(await users.register())[0] for _ in range(3)]
    await deliver(users, *(orders.paid(orders.placed(u, 0)) for u in (lost, late, fine)))
    async with users.db.session() as session, session.begin():
        await session.execute(delete(LifecycleTimer).where(LifecycleTimer.user_id == UUID(lost)))
    await change(users, LifecycleTimer, late, due_at=datetime(2100, 1, 1, tzinfo=UTC))

    def counted(kind: str) -> float:
        labels = {"service": "users", "kind": kind}
        return REGISTRY.get_sample_value("flywheel_lifecycle_sweep_fixes_total", labels) or 0

    before = counted("stage"), counted("timer")
    in_31_days = datetime.now(UTC) + timedelta(days=31)
    fixed = await lifecycle.sweep(users.db, at=in_31_days)
    # all three were due to leave "new"; with timers that never fired, the sweep moved them
    assert fixed == {"stage": 3, "timer": 2}
    assert (counted("stage"), counted("timer")) == (before[0] + 3, before[1] + 2)
    for user_id in (lost, late, fine):
        assert (await stage(users, operator, user_id))["stage"] == "active"
    assert await lifecycle.sweep(users.db, at=in_31_days) == {"stage": 0, "timer": 0}


async def test_the_distribution_counts_every_user(users):
    _, operator = await users.staff("operator")
    buyer, _ = await users.register()
    await deliver(users, orders.paid(orders.placed(buyer, 0)))
    async with users.client(operator) as client:
        body = (await client.get("/api/v1/users/lifecycle/stages")).json()
    total = (await users.sql("SELECT count(*) AS n FROM users"))[0].n
    assert body["counts"]["new"] == 1
    assert body["counts"]["potential"] == total - 1
    assert sum(body["counts"].values()) == total
    assert body["rule_version"] == 1


async def test_the_services_scheduler_fires_due_timers_by_itself(start_users):
    users = await start_users(schedule_seconds=0.2)
    _, operator = await users.staff("operator")
    user_id, _ = await users.register()
    await deliver(users, orders.paid(orders.placed(user_id, 0)))
    # as if the first payment were 31 days old: the new period is over, and its timer due
    await change(users, UserActivity, user_id, first_paid_at=datetime.now(UTC) - timedelta(days=31))
    await change(users, LifecycleTimer, user_id, due_at=datetime.now(UTC))

    async def active():
        return (await stage(users, operator, user_id))["stage"] == "active"

    await eventually(active, within=20)


async def test_lifecycle_routes_are_for_operators_only(users):
    _, customer = await users.customer()
    user_id, _ = await users.register()
    async with users.client(customer) as client:
        for method, path in (
            ("GET", "/api/v1/users/lifecycle/rules"),
            ("PUT", "/api/v1/users/lifecycle/rules"),
            ("GET", "/api/v1/users/lifecycle/stages"),
            ("GET", f"/api/v1/users/users/{user_id}/lifecycle"),
        ):
            body = {"expected_version": 1, **RULES} if method == "PUT" else None
            response = await client.request(method, path, json=body)
            assert response.status_code == 403, path
    _, operator = await users.staff("operator")
    async with users.client(operator) as client:
        unknown = await client.get(f"/api/v1/users/users/{user_id[:-4]}beef/lifecycle")
    assert unknown.status_code == 404
