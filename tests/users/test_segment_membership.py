"""Segment membership kept current: events, profile changes, lifecycle timers, tier changes
and RFM recomputation move users in and out of exactly the segments reading what changed,
each entry and exit published once."""

import asyncio
import json
from datetime import timedelta
from uuid import UUID

import orders
from deliver import deliver

from chassis.clock import now
from chassis.ids import new_id
from services.users.lifecycle import service as lifecycle
from services.users.profiles.models import Profile
from services.users.segments import service as segments

ENTERED = "flywheel.users.segment.entered.v1"
LEFT = "flywheel.users.segment.left.v1"


async def saved(users, operator: str, name: str, rule: dict) -> str:
    async with users.client(operator) as client:
        response = await client.post("/api/v1/users/segments", json={"name": name, "rule": rule})
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def moves(users, user_id: str, names: dict[str, str]) -> list[tuple[str, str]]:
    """("in"/"out", segment name) for the user, in the order published."""
    rows = await users.sql(
        "SELECT type, payload FROM outbox WHERE type IN (:a, :b) ORDER BY seq",
        a=ENTERED,
        b=LEFT,
    )
    found = []
    for row in rows:
        data = json.loads(row.payload)["data"]
        if data["user_id"] == user_id:
            found.append(("in" if row.type == ENTERED else "out", names[data["segment_id"]]))
    return found


async def test_membership_follows_what_changes_and_only_where_it_is_read(users):
    _, operator = await users.staff("operator")
    names = {}
    for name, rule in {
        "buyers": {"field": "metrics.paid_orders", "op": "gte", "value": 1},
        "big spenders": {"field": "metrics.net_spend", "op": "gte", "value": 50_000},
        "silver and up": {"not": {"field": "membership.tier", "op": "eq", "value": "regular"}},
        "hangzhou": {"field": "profile.city", "op": "eq", "value": "Hangzhou"},
        "dormant": {"field": "lifecycle.stage", "op": "eq", "value": "dormant"},
        "champions": {"field": "rfm.r", "op": "eq", "value": 5},
    }.items():
        names[await saved(users, operator, name, rule)] = name
    user_id, token = await users.customer()

    order = orders.placed(user_id, 0, paid=100_000)
    paid = orders.paid(order)
    await deliver(users, paid, paid)
    async with users.client(token) as client:
        await client.patch("/api/v1/users/me", json={"city": "Hangzhou"})
        await client.patch("/api/v1/users/me", json={"birth_year": 1990})  # read by none
    refund = orders.refunded(order, 60_000)
    await deliver(users, refund, refund)
    in_60_days = paid.paid_at + timedelta(days=60)
    await lifecycle.fire_due(users.db, at=paid.paid_at + timedelta(days=30))
    await lifecycle.fire_due(users.db, at=in_60_days)
    async with users.client(operator) as client:
        await client.post("/api/v1/users/rfm/recompute")

    assert await moves(users, user_id, names) == [
        ("in", "silver and up"),  # by the upgrade, in the same transaction as the rest
        ("in", "buyers"),
        ("in", "big spenders"),
        ("in", "champions"),  # the first payment's cut-offs scored it: paid today, recency 5
        ("in", "hangzhou"),
        ("out", "big spenders"),  # the refund took net spend to 40,000
        ("in", "dormant"),  # by the timer; the tier stays until its review
    ]


async def test_concurrent_re_evaluations_enter_a_user_once(users):
    _, operator = await users.staff("operator")
    segment_id = await saved(
        users, operator, "chengdu", {"field": "profile.city", "op": "eq", "value": "Chengdu"}
    )
    user_id, _ = await users.register()
    async with users.db.session() as session, session.begin():
        session.add(Profile(user_id=UUID(user_id), city="Chengdu", updated_at=now()))

    async def refresh():
        async with users.db.session() as session, session.begin():
            await segments.refresh(session, UUID(user_id), {"profile.city"})

    await asyncio.gather(*(refresh() for _ in range(20)))
    entered = [e for e in await users.events(ENTERED) if e["user_id"] == user_id]
    assert [e["segment_id"] for e in entered] == [segment_id]
    rows = await users.sql("SELECT count(*) AS n FROM segment_members")
    assert rows[0].n == 1


async def test_why_explains_a_membership_with_the_values_seen(users):
    _, operator = await users.staff("operator")
    segment_id = await saved(
        users,
        operator,
        "repeat buyers",
        {"all": [{"field": "metrics.paid_orders", "op": "gte", "value": 2}]},
    )
    buyer, _ = await users.register()
    await deliver(users, *(orders.paid(orders.placed(buyer, 0)) for _ in range(2)))
    async with users.client(operator) as client:
        why = (await client.get(f"/api/v1/users/segments/{segment_id}/why/{buyer}")).json()
        unknown = await client.get(f"/api/v1/users/segments/{segment_id}/why/{new_id()}")
    _, customer = await users.customer()
    async with users.client(customer) as client:
        refused = await client.get(f"/api/v1/users/segments/{segment_id}/why/{buyer}")
    assert why["member"] is True
    assert why["explanation"] == {
        "all": [
            {
                "field": "metrics.paid_orders",
                "op": "gte",
                "value": 2,
                "seen": 2,
                "matches": True,
            }
        ],
        "matches": True,
    }
    assert unknown.status_code == 404
    assert refused.status_code == 403
