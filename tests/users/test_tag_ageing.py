"""Interest tags' evidence ages (USERS_TAG_EVIDENCE_DAYS, 180 by default): by its timer, a
system tag's score falls as each day of its evidence expires, the tag drops at the moment
its evidence still counting falls below the threshold, and the segments reading tags see it
go."""

from datetime import datetime, timedelta
from uuid import UUID

import tagging
from deliver import deliver

from chassis.clock import now
from contracts.analytics import Action
from services.users.settings import Settings
from services.users.tags import rules
from services.users.tags import service as tags
from services.users.tags.models import TagTimer

WINDOW = Settings(kafka_enabled=False).tag_evidence_window
LEFT = "flywheel.users.segment.left.v1"


def paid_days_ago(user_id: str, sku_id: UUID, days: int):
    order = tagging.bought(user_id, sku_id)
    return order.model_copy(update={"paid_at": now() - timedelta(days=days)})


async def system_tags(users, user_id: str) -> set[str]:
    rows = await users.sql(
        "SELECT tag FROM user_tags WHERE user_id = :u AND origin = 'system'",
        u=_stored(users, user_id),
    )
    return {row.tag for row in rows}


async def timer(users, user_id: str):
    async with users.db.session() as session:
        found = await session.get(TagTimer, UUID(user_id))
    return found and found.due_at


def _stored(users, user_id: str) -> str:
    return UUID(user_id).hex if users.db.is_sqlite else user_id


async def test_a_tag_drops_on_time_when_its_evidence_ages_out_and_its_segment_is_left(users):
    _, operator = await users.staff("operator")
    user_id, _ = await users.register()
    tent = tagging.product("Acme", None)
    await deliver(users, tent)
    async with users.client(operator) as client:
        saved = await client.post(
            "/api/v1/users/segments",
            json={
                "name": "acme fans",
                "rule": {"field": "tags", "op": "has", "value": "brand:acme"},
            },
        )
    assert saved.status_code == 201, saved.text
    segment_id = saved.json()["id"]

    order = paid_days_ago(user_id, tent.skus[0].sku_id, 100)
    await deliver(users, order)
    assert await system_tags(users, user_id) == {"brand:acme"}
    due = await timer(users, user_id)
    assert due == rules.expires_at(rules.day_of(order.paid_at), WINDOW)
    async with users.client(operator) as client:
        shown = (await client.get(f"/api/v1/users/users/{user_id}/tags")).json()
    assert datetime.fromisoformat(shown["next_drop_at"]) == due

    assert await tags.fire_due(users.db, WINDOW, at=due - timedelta(seconds=1)) == 0
    assert await system_tags(users, user_id) == {"brand:acme"}
    assert await tags.fire_due(users.db, WINDOW, at=due) == 1  # on the day, not at a batch
    assert await system_tags(users, user_id) == set()
    assert await timer(users, user_id) is None  # nothing left to lose
    assert await tags.fire_due(users.db, WINDOW, at=due) == 0  # fired once
    assert [e["segment_id"] for e in await users.events(LEFT)] == [segment_id]
    async with users.client(operator) as client:
        body = (await client.get(f"/api/v1/users/users/{user_id}/tags")).json()
    assert (body["tags"], body["next_drop_at"]) == ([], None)
    [kept] = body["evidence"]  # the totals stay: what was seen, and when
    assert (kept["tag"], kept["count"]) == ("brand:acme", 1)
    assert await users.sql("SELECT * FROM tag_evidence_days") == []  # aged days forgotten


async def test_new_evidence_keeps_the_tag_past_the_old_evidence_and_only_what_counts_earns(
    users,
):
    user_id, _ = await users.register()
    tent = tagging.product("Acme", None)
    await deliver(users, tent)
    sku = tent.skus[0].sku_id
    old = paid_days_ago(user_id, sku, 170)
    await deliver(users, old)
    first = await timer(users, user_id)
    assert first == rules.expires_at(rules.day_of(old.paid_at), WINDOW)

    # views today: the order's day still expires first, so the timer stays
    views = [tagging.touched(user_id, Action.PRODUCT_VIEW, str(tent.product_id)) for _ in range(5)]
    await deliver(users, *views)
    assert await timer(users, user_id) == first
    later = rules.expires_at(rules.day_of(now()), WINDOW)

    assert await tags.fire_due(users.db, WINDOW, at=first) == 1
    assert await system_tags(users, user_id) == {"brand:acme"}  # 5 views hold it on their own
    assert await timer(users, user_id) == later
    assert await tags.fire_due(users.db, WINDOW, at=later) == 1
    assert await system_tags(users, user_id) == set()


async def scores(users, operator: str, user_id: str) -> tuple[dict, str | None]:
    async with users.client(operator) as client:
        body = (await client.get(f"/api/v1/users/users/{user_id}/tags")).json()
    return {t["tag"]: t["score"] for t in body["tags"]}, body["next_drop_at"]


async def test_a_tags_score_falls_on_time_as_part_of_its_evidence_ages_out(users):
    _, operator = await users.staff("operator")
    user_id, _ = await users.register()
    tent = tagging.product("Acme", None)
    await deliver(users, tent)
    sku = tent.skus[0].sku_id
    old, recent = paid_days_ago(user_id, sku, 150), paid_days_ago(user_id, sku, 20)
    await deliver(users, old, recent)
    first = rules.expires_at(rules.day_of(old.paid_at), WINDOW)
    second = rules.expires_at(rules.day_of(recent.paid_at), WINDOW)
    held, due = await scores(users, operator, user_id)
    assert (held, datetime.fromisoformat(due)) == ({"brand:acme": 10}, first)

    assert await tags.fire_due(users.db, WINDOW, at=first - timedelta(seconds=1)) == 0
    assert (await scores(users, operator, user_id))[0] == {"brand:acme": 10}
    assert await tags.fire_due(users.db, WINDOW, at=first) == 1  # the old order's day ends
    held, due = await scores(users, operator, user_id)
    assert (held, datetime.fromisoformat(due)) == ({"brand:acme": 5}, second)
    assert await tags.fire_due(users.db, WINDOW, at=first) == 0  # fired once
    assert await tags.fire_due(users.db, WINDOW, at=second) == 1
    assert await scores(users, operator, user_id) == ({}, None)


async def test_evidence_older_than_the_window_is_counted_but_earns_nothing(users):
    user_id, _ = await users.register()
    tent = tagging.product("Acme", None)
    await deliver(users, tent)
    await deliver(users, paid_days_ago(user_id, tent.skus[0].sku_id, 200))
    assert await system_tags(users, user_id) == set()
    assert await timer(users, user_id) is None
    rows = await users.sql("SELECT count FROM tag_evidence")
    assert [row.count for row in rows] == [1]
