"""Segments edited, deleted and exported by operators: an edit moves members to the new rule
(and a stale one is refused), a deleted segment is no longer maintained and says so once, the
members stream as CSV."""

import csv
import io
from uuid import UUID

import orders
from deliver import deliver

from chassis.ids import new_id
from services.users.segments import service as segments

ENTERED = "flywheel.users.segment.entered.v1"
LEFT = "flywheel.users.segment.left.v1"
DELETED = "flywheel.users.segment.deleted.v1"
BUYERS = {"field": "metrics.paid_orders", "op": "gte", "value": 1}
REPEAT = {"field": "metrics.paid_orders", "op": "gte", "value": 2}


async def buyer(users, paid_orders: int) -> str:
    user_id, _ = await users.register()
    await deliver(users, *(orders.paid(orders.placed(user_id, 0)) for _ in range(paid_orders)))
    return user_id


async def test_an_edit_moves_members_to_the_new_rule_once_and_refuses_a_stale_version(users):
    _, operator = await users.staff("operator")
    once, thrice = await buyer(users, 1), await buyer(users, 3)
    async with users.client(operator) as client:
        created = (
            await client.post("/api/v1/users/segments", json={"name": "buyers", "rule": BUYERS})
        ).json()
        await client.post("/api/v1/users/segments", json={"name": "taken", "rule": BUYERS})
        path = f"/api/v1/users/segments/{created['id']}"
        edit = {"name": "repeat buyers", "rule": REPEAT, "expected_version": 1}
        edited = await client.put(path, json=edit)
        stale = await client.put(path, json=edit | {"name": "again"})
        taken = await client.put(path, json=edit | {"name": "taken", "expected_version": 2})
        bad = await client.put(
            path,
            json=edit | {"expected_version": 2, "rule": {"not": {"field": "rfm.x", "op": "eq"}}},
        )
        unknown = await client.put(f"/api/v1/users/segments/{new_id()}", json=edit)
        read = (await client.get(path)).json()
    assert created["version"] == 1
    assert created["members"] == 2
    assert edited.status_code == 200, edited.text
    body = edited.json()
    assert (body["name"], body["version"], body["members"]) == ("repeat buyers", 2, 1)
    assert body["fields"] == ["metrics.paid_orders"]
    assert body["updated_at"] is not None
    assert read["version"] == 2
    assert read["rule"] == REPEAT
    assert stale.status_code == 409
    assert taken.status_code == 409
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["body.rule.not"]
    assert unknown.status_code == 404
    segment_left = [e for e in await users.events(LEFT) if e["segment_id"] == created["id"]]
    assert [e["user_id"] for e in segment_left] == [once]
    mine = [e for e in await users.events(ENTERED) if e["segment_id"] == created["id"]]
    assert sorted(e["user_id"] for e in mine) == sorted([once, thrice])  # none entered twice
    # Kept under the new rule from then on.
    await deliver(users, orders.paid(orders.placed(once, 0)))
    async with users.client(operator) as client:
        assert (await client.get(path)).json()["members"] == 2


async def test_a_deleted_segment_is_announced_once_and_no_longer_maintained(users):
    _, operator = await users.staff("operator")
    member = await buyer(users, 1)
    async with users.client(operator) as client:
        created = (
            await client.post("/api/v1/users/segments", json={"name": "buyers", "rule": BUYERS})
        ).json()
        path = f"/api/v1/users/segments/{created['id']}"
        deleted = await client.delete(path)
        again = await client.delete(path)
        gone = await client.get(path)
        reused = await client.post(
            "/api/v1/users/segments", json={"name": "buyers", "rule": REPEAT}
        )
    assert deleted.status_code == 204
    assert again.status_code == 404
    assert gone.status_code == 404
    assert reused.status_code == 201  # the name is free again
    [announced] = await users.events(DELETED)
    assert announced["segment_id"] == created["id"]
    assert (announced["name"], announced["members"]) == ("buyers", 1)
    assert UUID(announced["deleted_by"])
    await deliver(
        users, orders.paid(orders.placed(member, 0)), orders.paid(orders.placed(member, 0))
    )
    entered = [e["segment_id"] for e in await users.events(ENTERED) if e["user_id"] == member]
    assert entered == [created["id"], reused.json()["id"]]  # the deleted one: never again
    assert await users.events(LEFT) == []  # deletion publishes no exits
    async with users.db.session() as session:
        assert await segments.size(session, UUID(created["id"])) == 0


async def test_members_stream_as_csv(users):
    _, operator = await users.staff("operator")
    members = {await buyer(users, 1) for _ in range(3)}
    await users.register()  # never paid: not a member
    async with users.client(operator) as client:
        created = (
            await client.post("/api/v1/users/segments", json={"name": "buyers", "rule": BUYERS})
        ).json()
        answer = await client.get(f"/api/v1/users/segments/{created['id']}/members/export")
        unknown = await client.get(f"/api/v1/users/segments/{new_id()}/members/export")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    header, *rows = list(csv.reader(io.StringIO(answer.text)))
    assert header == ["user_id", "email", "entered_at"]
    assert {row[0] for row in rows} == members
    assert all(row[1].endswith("@example.com") and row[2] for row in rows)
    assert unknown.status_code == 404


async def test_editing_deleting_and_exporting_are_for_operators_only(users):
    _, customer = await users.customer()
    segment = f"/api/v1/users/segments/{new_id()}"
    edit = {"name": "x", "rule": BUYERS, "expected_version": 1}
    async with users.client(customer) as client:
        assert (await client.put(segment, json=edit)).status_code == 403
        assert (await client.delete(segment)).status_code == 403
        assert (await client.get(f"{segment}/members/export")).status_code == 403
    async with users.client() as client:
        assert (await client.delete(segment)).status_code == 401
