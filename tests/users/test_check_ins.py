"""Daily check-in: once per local day, streaks, and its points."""

import asyncio
from datetime import UTC, date, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from services.users.checkins import streaks
from services.users.checkins.models import CheckIn


def test_the_day_is_the_users_local_day():
    at = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert streaks.local_day(at, "Pacific/Kiritimati") == date(2026, 12, 2)  # UTC+14
    assert streaks.local_day(at, "Pacific/Pago_Pago") == date(2026, 12, 1)  # UTC-11
    assert streaks.local_day(datetime(2026, 12, 1, 23, 30, tzinfo=UTC), None) == date(2026, 12, 1)


def test_a_streak_grows_on_consecutive_days_and_breaks_on_a_missed_one():
    today = date(2026, 12, 10)
    assert streaks.streak(date(2026, 12, 9), 6, today) == 7
    assert streaks.streak(date(2026, 12, 8), 6, today) == 1
    assert streaks.streak(None, 0, today) == 1
    assert [streaks.reward(d) for d in range(1, 9)] == [1, 1, 2, 2, 3, 3, 10, 1]


async def test_one_check_in_a_day_credits_its_points(users):
    user_id, token = await users.customer()
    async with users.client(token) as client:
        first = await client.post("/api/v1/users/me/check-ins")
        second = await client.post("/api/v1/users/me/check-ins")
        points = (await client.get("/api/v1/users/me/points")).json()
    assert first.status_code == 201
    assert (first.json()["streak"], first.json()["points"]) == (1, 1)
    assert first.json()["local_date"] == datetime.now(UTC).date().isoformat()
    assert second.status_code == 409
    assert (points["balance"], [e["kind"] for e in points["ledger"]["items"]]) == (1, ["check_in"])
    earned = await users.events("flywheel.users.points.earned.v1")
    assert [(e["user_id"], e["earned_for"], e["frozen"]) for e in earned] == [
        (user_id, "check_in", False)
    ]


async def test_the_seventh_day_in_a_row_earns_the_bonus(users):
    user_id, token = await users.customer()
    async with users.client(token) as client:
        await client.patch("/api/v1/users/me", json={"time_zone": "Pacific/Kiritimati"})
    today = datetime.now(ZoneInfo("Pacific/Kiritimati")).date()
    async with users.db.session() as session:
        session.add(
            CheckIn(
                user_id=UUID(user_id),
                local_date=today - timedelta(days=1),
                streak=6,
                points=3,
                checked_in_at=datetime.now(UTC) - timedelta(days=1),
            )
        )
        await session.commit()
    async with users.client(token) as client:
        made = (await client.post("/api/v1/users/me/check-ins")).json()
    assert (made["local_date"], made["streak"], made["points"]) == (today.isoformat(), 7, 10)


async def test_concurrent_check_ins_by_one_user_give_one(users):
    _, token = await users.customer()
    async with users.client(token) as client:
        responses = await asyncio.gather(
            *(client.post("/api/v1/users/me/check-ins") for _ in range(20))
        )
        points = (await client.get("/api/v1/users/me/points")).json()
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 19
    assert points["balance"] == 1
    assert len(points["ledger"]["items"]) == 1


async def test_checking_in_needs_a_token(users):
    async with users.client() as client:
        assert (await client.post("/api/v1/users/me/check-ins")).status_code == 401
