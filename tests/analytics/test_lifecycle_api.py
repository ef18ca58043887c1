"""The lifecycle distribution over HTTP and from the broker: operators read each stage's
population per day, users' registrations and moves published on the broker are counted, and
a redelivered move counts once."""

import random
from datetime import UTC, date, datetime, timedelta

from chassis.ids import new_id
from chassis.testing import eventually
from contracts.users import LifecycleStage as Stage
from services.analytics.store.service import record
from tests.analytics.events import moved, registered
from tests.analytics.serving import analytics, client
from tests.publishing import publish

MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
LIFECYCLE = "/api/v1/analytics/metrics/lifecycle"
RANGE = {"from": "2026-11-02", "to": "2026-11-04"}


async def test_operators_read_each_stages_population_per_day(platform, operator_token, tmp_path):
    buyer = new_id()
    async with analytics(platform, tmp_path) as (store, url):
        await record(
            store,
            [
                registered(buyer, MONDAY),
                registered(new_id(), MONDAY),
                moved(buyer, Stage.POTENTIAL, Stage.NEW, MONDAY + timedelta(days=1)),
            ],
        )
        async with client(url, operator_token) as api:
            answer = await api.get(LIFECYCLE, params=RANGE)
    assert answer.status_code == 200, answer.text
    points = answer.json()["points"]
    assert len(points) == 2 * len(Stage)  # every stage of every day, moves or not
    assert [p for p in points if p["users"] or p["entered"] or p["exited"]] == [
        {"day": "2026-11-02", "stage": "potential", "users": 2, "entered": 2, "exited": 0},
        {"day": "2026-11-03", "stage": "potential", "users": 1, "entered": 0, "exited": 1},
        {"day": "2026-11-03", "stage": "new", "users": 1, "entered": 1, "exited": 0},
    ]


async def test_moves_published_by_users_are_counted_once(platform, operator_token):
    # A day of its own in the past: the platform's other tests register users today, so this
    # day's moves are this test's alone (the populations carry everyone before it).
    day = date(2025, 1, 1) + timedelta(days=random.randrange(300))
    at = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
    first, second = new_id(), new_id()
    move = moved(first, Stage.POTENTIAL, Stage.NEW, at + timedelta(hours=1))
    await publish(
        platform,
        registered(first, at),
        registered(second, at),
        move,
        move,  # redelivered
        # The user's next move, after the copy on the same partition: once it is counted,
        # so is the copy.
        moved(first, Stage.NEW, Stage.ACTIVE, at + timedelta(hours=4)),
        moved(second, Stage.POTENTIAL, Stage.NEW, at + timedelta(hours=2)),
        moved(second, Stage.NEW, Stage.DORMANT, at + timedelta(hours=3)),
    )
    before, on_day = (day - timedelta(days=1)).isoformat(), day.isoformat()
    params = {"from": before, "to": (day + timedelta(days=1)).isoformat()}
    stages = ("potential", "new", "active", "dormant")
    async with platform.client("analytics", operator_token) as api:

        async def counted():
            answer = await api.get(LIFECYCLE, params=params)
            assert answer.status_code == 200, answer.text
            points = {(p["day"], p["stage"]): p for p in answer.json()["points"]}
            moves = {s: (points[on_day, s]["entered"], points[on_day, s]["exited"]) for s in stages}
            everything = moves["potential"][0] == 2 and moves["active"] == moves["dormant"] == (
                1,
                0,
            )
            return (moves, points) if everything else None

        moves, points = await eventually(counted, within=60)
    assert moves == {"potential": (2, 2), "new": (2, 2), "active": (1, 0), "dormant": (1, 0)}
    for stage, grew in {"potential": 0, "new": 0, "active": 1, "dormant": 1}.items():
        assert points[on_day, stage]["users"] - points[before, stage]["users"] == grew
