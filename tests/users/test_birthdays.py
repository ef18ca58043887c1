"""Birthdays: the profile takes one (month and day, 422 naming the field for a day that is
none), the durable timer announces `birthday.reached` at the customer's local midnight once a
year and moves to the next year, a changed birthday or time zone moves it, 29 February on the
28th in a year without one; exported and erased with the person."""

import asyncio
from datetime import UTC, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from alone import PASSWORD

from services.users.birthdays import service as birthdays

REACHED = "flywheel.users.birthday.reached.v1"
AT = datetime(2027, 5, 10, 12, tzinfo=UTC)  # a week before the birthday of most tests


async def patched(users, token: str, **body):
    async with users.client(token) as client:
        response = await client.patch("/api/v1/users/me", json=body)
    assert response.status_code == 200, response.text
    return response.json()


async def timer(users, user_id: str):
    async with users.db.session() as session:
        found = await birthdays.next_at(session, UUID(user_id))
        return found and (found.due_at, found.year)


async def schedule_as_of(users, user_id: str, at: datetime):
    async with users.db.session() as session, session.begin():
        await birthdays.schedule(session, UUID(user_id), at)
    return await timer(users, user_id)


async def reached(users, user_id: str) -> list[tuple]:
    return [
        (e["year"], e["on"], e["time_zone"])
        for e in await users.events(REACHED)
        if e["user_id"] == user_id
    ]


async def test_the_timer_fires_at_local_midnight_once_and_moves_to_next_year(users):
    user_id, token = await users.customer()
    me = await patched(
        users, token, birthday={"month": 5, "day": 17}, time_zone="Asia/Shanghai", birth_year=1994
    )
    assert (me["birthday"], me["birth_year"]) == ({"month": 5, "day": 17}, 1994)
    due = datetime(2027, 5, 16, 16, tzinfo=UTC)  # 00:00 on 17 May in Shanghai
    assert await schedule_as_of(users, user_id, AT) == (due, 2027)

    assert await birthdays.fire_due(users.db, due - timedelta(seconds=1)) == 0
    assert await reached(users, user_id) == []
    # five schedulers at once (on SQLite each may fire it: it has no row locks to skip)
    await asyncio.gather(*(birthdays.fire_due(users.db, due) for _ in range(5)))
    assert await reached(users, user_id) == [(2027, "2027-05-17", "Asia/Shanghai")]
    next_year = datetime(2028, 5, 16, 16, tzinfo=UTC)
    assert await timer(users, user_id) == (next_year, 2028)
    assert await birthdays.fire_due(users.db, due + timedelta(days=1)) == 0  # nothing more

    # A timer fired again for a year announced (restored from a backup, say) announces nothing.
    await users.sql(
        "UPDATE birthday_timers SET due_at = :due, year = 2027 WHERE user_id = :u",
        due=due,
        u=UUID(user_id).hex if users.db.engine.dialect.name == "sqlite" else user_id,
    )
    assert await birthdays.fire_due(users.db, due) == 1
    assert await reached(users, user_id) == [(2027, "2027-05-17", "Asia/Shanghai")]
    assert await timer(users, user_id) == (next_year, 2028)

    assert await birthdays.fire_due(users.db, next_year) == 1
    assert await reached(users, user_id) == [
        (2027, "2027-05-17", "Asia/Shanghai"),
        (2028, "2028-05-17", "Asia/Shanghai"),
    ]
    event = (await users.events(REACHED))[-1]
    assert (event["birth_month"], event["birth_day"]) == (5, 17)


async def test_a_changed_birthday_or_time_zone_moves_the_timer(users):
    user_id, token = await users.customer()
    await patched(users, token, birthday={"month": 5, "day": 17})
    due, _ = await timer(users, user_id)
    assert (due.month, due.day, due.hour) == (5, 17, 0)  # UTC without a time zone

    await patched(users, token, time_zone="America/Los_Angeles")
    due, _ = await timer(users, user_id)
    local = due.astimezone(ZoneInfo("America/Los_Angeles"))
    assert (local.month, local.day, local.hour, local.minute) == (5, 17, 0, 0)

    await patched(users, token, birthday={"month": 9, "day": 1})
    due, _ = await timer(users, user_id)
    local = due.astimezone(ZoneInfo("America/Los_Angeles"))
    assert (local.month, local.day, local.hour) == (9, 1, 0)

    await patched(users, token, birthday=None)
    assert await timer(users, user_id) is None
    me = await patched(users, token, city="Xi'an")
    assert me["birthday"] is None


async def test_a_birthday_moved_after_its_year_was_announced_waits_for_next_year(users):
    user_id, token = await users.customer()
    await patched(users, token, birthday={"month": 1, "day": 5})
    await schedule_as_of(users, user_id, datetime(2027, 1, 1, tzinfo=UTC))
    assert await birthdays.fire_due(users.db, datetime(2027, 1, 5, tzinfo=UTC)) == 1
    # moved to December of the same year: no second birthday in 2027
    await patched(users, token, birthday={"month": 12, "day": 1})
    assert await schedule_as_of(users, user_id, datetime(2027, 2, 1, tzinfo=UTC)) == (
        datetime(2028, 12, 1, tzinfo=UTC),
        2028,
    )


async def test_29_february_is_announced_on_the_28th_in_a_year_without_one(users):
    user_id, token = await users.customer()
    await patched(users, token, birthday={"month": 2, "day": 29})
    feb_28 = datetime(2027, 2, 28, tzinfo=UTC)
    assert await schedule_as_of(users, user_id, datetime(2027, 1, 10, tzinfo=UTC)) == (
        feb_28,
        2027,
    )
    assert await birthdays.fire_due(users.db, feb_28) == 1
    assert await reached(users, user_id) == [(2027, "2027-02-28", "UTC")]
    assert await timer(users, user_id) == (datetime(2028, 2, 29, tzinfo=UTC), 2028)


@pytest.mark.parametrize(
    ("birthday", "field"),
    [
        ({"month": 2, "day": 30}, "body.birthday.day"),
        ({"month": 4, "day": 31}, "body.birthday.day"),
        ({"month": 13, "day": 1}, "body.birthday.month"),
        ({"month": 0, "day": 1}, "body.birthday.month"),
        ({"month": 5, "day": 0}, "body.birthday.day"),
        ({"month": "5", "day": 1}, "body.birthday.month"),
        ({"month": 5}, "body.birthday.day"),
        ({"month": 5, "day": 1, "year": 1990}, "body.birthday.year"),
        ("05-17", "body.birthday"),
    ],
)
async def test_a_day_that_is_none_is_422_naming_the_field(users, birthday, field):
    user_id, token = await users.customer()
    async with users.client(token) as client:
        response = await client.patch("/api/v1/users/me", json={"birthday": birthday})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert await timer(users, user_id) is None


async def test_29_february_needs_a_leap_birth_year_whichever_is_sent(users):
    _, token = await users.customer()
    async with users.client(token) as client:
        both = await client.patch(
            "/api/v1/users/me", json={"birthday": {"month": 2, "day": 29}, "birth_year": 1990}
        )
        leap = await client.patch(
            "/api/v1/users/me", json={"birthday": {"month": 2, "day": 29}, "birth_year": 1992}
        )
        year = await client.patch("/api/v1/users/me", json={"birth_year": 1991})
        me = (await client.get("/api/v1/users/me")).json()
    assert (both.status_code, both.json()["errors"][0]["field"]) == (422, "body.birthday")
    assert leap.status_code == 200
    assert (year.status_code, year.json()["errors"][0]["field"]) == (422, "body.birth_year")
    assert (me["birth_year"], me["birthday"]) == (1992, {"month": 2, "day": 29})  # kept whole
    updates = await users.events("flywheel.users.profile.updated.v1")
    assert [u["changed"] for u in updates] == [["birth_year", "birthday"]]
    assert (updates[0]["birth_month"], updates[0]["birth_day"]) == (2, 29)


async def test_the_birthday_is_exported_and_erased_with_the_person(users):
    user_id, token = await users.customer()
    await patched(users, token, birthday={"month": 5, "day": 17})
    await schedule_as_of(users, user_id, AT)
    await birthdays.fire_due(users.db, datetime(2027, 5, 17, tzinfo=UTC))
    async with users.client(token) as client:
        exported = (await client.get("/api/v1/users/me/export")).json()
        erased = await client.post("/api/v1/users/me/erase", json={"password": PASSWORD})
        after = (await client.get("/api/v1/users/me/export")).json()
    assert (exported["profile"]["birth_month"], exported["profile"]["birth_day"]) == (5, 17)
    assert exported["birthday_timer"]["year"] == 2028
    assert [a["year"] for a in exported["birthdays_announced"]] == [2027]
    assert erased.status_code == 204
    assert (after["profile"], after["birthday_timer"], after["birthdays_announced"]) == (
        None,
        None,
        [],
    )
    assert await birthdays.fire_due(users.db, datetime(2030, 1, 1, tzinfo=UTC)) == 0
    assert len(await reached(users, user_id)) == 1
