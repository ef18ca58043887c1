"""The RFM distribution over HTTP and from the broker: operators read each layer's (or
code's) population per day, users' scores changes published on the broker are counted, in
whatever order they arrive, and a redelivered change counts once."""

import random
from datetime import UTC, date, datetime, timedelta

from chassis.ids import new_id
from chassis.testing import eventually
from contracts.users import RfmReason as Reason
from services.analytics.metrics.rfm import RfmLayer
from services.analytics.store.service import record
from tests.analytics.events import rescored
from tests.analytics.serving import analytics, client
from tests.publishing import publish

MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
RFM = "/api/v1/analytics/metrics/rfm"
RANGE = {"from": "2026-11-02", "to": "2026-11-04"}


def moving(points: list[dict]) -> list[dict]:
    return [p for p in points if p["users"] or p["entered"] or p["exited"]]


async def test_operators_read_each_layers_and_codes_population_per_day(
    platform, operator_token, tmp_path
):
    buyer = new_id()
    async with analytics(platform, tmp_path) as (store, url):
        await record(
            store,
            [
                rescored(buyer, None, "111", MONDAY, Reason.FIRST_ORDER),
                rescored(new_id(), None, "543", MONDAY, Reason.FIRST_ORDER),
                rescored(buyer, "111", "211", MONDAY + timedelta(days=1)),  # same layer
            ],
        )
        async with client(url, operator_token) as api:
            layers = await api.get(RFM, params=RANGE)
            codes = await api.get(RFM, params=RANGE | {"by": "code"})
    assert layers.status_code == 200, layers.text
    assert layers.json()["by"] == "layer"
    points = layers.json()["points"]
    assert len(points) == 2 * len(RfmLayer)  # every layer of every day, moves or not
    assert moving(points) == [
        {"day": "2026-11-02", "group": "important_value", "users": 1, "entered": 1, "exited": 0},
        {"day": "2026-11-02", "group": "general_retain", "users": 1, "entered": 1, "exited": 0},
        {"day": "2026-11-03", "group": "important_value", "users": 1, "entered": 0, "exited": 0},
        {"day": "2026-11-03", "group": "general_retain", "users": 1, "entered": 0, "exited": 0},
    ]
    assert codes.status_code == 200, codes.text
    assert codes.json()["by"] == "code"
    assert codes.json()["points"] == [
        {"day": "2026-11-02", "group": "111", "users": 1, "entered": 1, "exited": 0},
        {"day": "2026-11-02", "group": "211", "users": 0, "entered": 0, "exited": 0},
        {"day": "2026-11-02", "group": "543", "users": 1, "entered": 1, "exited": 0},
        {"day": "2026-11-03", "group": "111", "users": 0, "entered": 0, "exited": 1},
        {"day": "2026-11-03", "group": "211", "users": 1, "entered": 1, "exited": 0},
        {"day": "2026-11-03", "group": "543", "users": 1, "entered": 0, "exited": 0},
    ]


async def test_changes_published_by_users_are_counted_once_in_any_order(platform, operator_token):
    # A day of its own in the past (populations carry everyone scored before it): this
    # day's moves are this test's alone.
    day = date(2024, 1, 1) + timedelta(days=random.randrange(300))
    at = datetime(day.year, day.month, day.day, 10, tzinfo=UTC)
    first, second = new_id(), new_id()
    scored = rescored(first, None, "555", at, Reason.FIRST_ORDER)
    await publish(
        platform,
        scored,
        scored,  # redelivered
        # The user's next change, after the copy on the same partition: once it is counted,
        # so is the copy.
        rescored(first, "555", "255", at + timedelta(hours=4), Reason.AGED),
        # The second user's next day's change arrives before their first scores.
        rescored(second, "111", "511", at + timedelta(days=1)),
        rescored(second, None, "111", at + timedelta(hours=2), Reason.FIRST_ORDER),
    )
    days = [(day + timedelta(days=n)).isoformat() for n in (-1, 0, 1)]
    params = {"from": days[0], "to": (day + timedelta(days=2)).isoformat()}
    layers = ("important_value", "important_keep", "general_retain", "general_develop")
    async with platform.client("analytics", operator_token) as api:

        async def counted():
            answer = await api.get(RFM, params=params)
            assert answer.status_code == 200, answer.text
            points = {(p["day"], p["group"]): p for p in answer.json()["points"]}
            moves = {
                (d, g): (points[d, g]["entered"], points[d, g]["exited"])
                for d in days[1:]
                for g in layers
            }
            everything = (
                moves[days[1], "important_keep"] == (1, 0)
                and moves[days[1], "general_retain"][0] == 1
                and moves[days[2], "general_develop"] == (1, 0)
            )
            return (moves, points) if everything else None

        moves, points = await eventually(counted, within=60)
    assert moves == {
        (days[1], "important_value"): (1, 1),
        (days[1], "important_keep"): (1, 0),
        (days[1], "general_retain"): (1, 0),
        (days[1], "general_develop"): (0, 0),
        (days[2], "important_value"): (0, 0),
        (days[2], "important_keep"): (0, 0),
        (days[2], "general_retain"): (0, 1),
        (days[2], "general_develop"): (1, 0),
    }
    grew = {"important_value": 0, "important_keep": 1, "general_retain": 0, "general_develop": 1}
    for layer, by in grew.items():
        assert points[days[2], layer]["users"] - points[days[0], layer]["users"] == by
