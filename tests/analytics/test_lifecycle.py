"""Users per lifecycle stage per day, from registrations and lifecycle moves: the rollup
agrees with a hand count, copies and racing writers included, and late moves land on their
own day."""

from datetime import UTC, date, datetime, timedelta

from chassis.ids import new_id
from contracts.users import LifecycleReason as Reason
from contracts.users import LifecycleStage as Stage
from services.analytics.metrics.service import lifecycle
from services.analytics.store import rollups
from services.analytics.store.rows import event_row
from services.analytics.store.service import record
from tests.analytics.events import moved, paid, registered

MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
A, B, C = new_id(), new_id(), new_id()


async def by_day(store, start: date, end: date) -> dict[date, dict[str, tuple[int, int, int]]]:
    """Per day, the stages that hold anyone or moved: (users, entered, exited)."""
    days: dict[date, dict] = {}
    for p in await lifecycle(store, start, end):
        stages = days.setdefault(p.day, {})
        if (p.users, p.entered, p.exited) != (0, 0, 0):
            stages[p.stage] = (p.users, p.entered, p.exited)
    return days


async def test_each_day_holds_each_stages_population_at_its_end(store):
    await record(
        store,
        [
            registered(A, MONDAY),
            registered(B, MONDAY + timedelta(hours=14, minutes=59)),  # 23:59 UTC: Monday
            registered(C, MONDAY + timedelta(hours=15)),  # Tuesday 00:00 UTC
            moved(A, Stage.POTENTIAL, Stage.NEW, MONDAY + DAY),
            moved(B, Stage.POTENTIAL, Stage.NEW, MONDAY + DAY),
            paid(A, MONDAY + DAY, 1000),  # not a move: counts nowhere here
        ],
    )
    await record(
        store,
        [
            moved(A, Stage.NEW, Stage.ACTIVE, MONDAY + 3 * DAY, Reason.NEW_PERIOD_OVER),
            moved(B, Stage.NEW, Stage.DORMANT, MONDAY + 3 * DAY, Reason.INACTIVE),
        ],
    )
    days = await by_day(store, date(2026, 11, 1), date(2026, 11, 7))
    assert days == {
        date(2026, 11, 1): {},
        date(2026, 11, 2): {"potential": (2, 2, 0)},
        date(2026, 11, 3): {"potential": (1, 1, 2), "new": (2, 2, 0)},
        date(2026, 11, 4): {"potential": (1, 0, 0), "new": (2, 0, 0)},
        date(2026, 11, 5): {
            "potential": (1, 0, 0),
            "new": (0, 0, 2),
            "active": (1, 1, 0),
            "dormant": (1, 1, 0),
        },
        date(2026, 11, 6): {"potential": (1, 0, 0), "active": (1, 0, 0), "dormant": (1, 0, 0)},
    }
    # Every stage on every day, in the lifecycle's order, and a range that starts later
    # carries the population of the days before it.
    points = await lifecycle(store, date(2026, 11, 6), date(2026, 11, 7))
    assert [p.stage for p in points] == [
        "potential",
        "new",
        "active",
        "high_value",
        "dormant",
        "churned",
    ]
    assert [p.users for p in points] == [1, 0, 1, 0, 1, 0]


async def test_a_redelivered_or_raced_in_move_counts_once(store):
    move = moved(A, Stage.POTENTIAL, Stage.NEW, MONDAY)
    await record(store, [registered(A, MONDAY), move])
    await record(store, [move])  # redelivered
    # Another writer did not see it stored, wrote it again and recounted its day.
    await store.insert("events", [event_row(move)])
    await rollups.recount(store, [MONDAY.date()], rollups.LIFECYCLE)
    assert (await by_day(store, date(2026, 11, 2), date(2026, 11, 3)))[date(2026, 11, 2)] == {
        "potential": (0, 1, 1),
        "new": (1, 1, 0),
    }


async def test_a_late_move_lands_on_its_own_day_and_every_day_after(store):
    await record(
        store, [registered(A, MONDAY), moved(A, Stage.NEW, Stage.ACTIVE, MONDAY + 2 * DAY)]
    )
    await record(store, [moved(A, Stage.POTENTIAL, Stage.NEW, MONDAY + DAY)])  # came late
    days = await by_day(store, date(2026, 11, 2), date(2026, 11, 5))
    assert days[date(2026, 11, 3)] == {"potential": (0, 0, 1), "new": (1, 1, 0)}
    assert days[date(2026, 11, 4)] == {"new": (0, 0, 1), "active": (1, 1, 0)}


async def test_a_late_stale_recount_does_not_replace_a_newer_one(store):
    await record(store, [registered(A, MONDAY), registered(B, MONDAY)])
    # A writer that read the day before the second registration landed writes last.
    await store.execute(
        "INSERT INTO {db:Identifier}.lifecycle_daily (day, stage, entered, exited, events) "
        "VALUES ('2026-11-02', 'potential', 1, 0, 1)"
    )
    days = await by_day(store, date(2026, 11, 2), date(2026, 11, 3))
    assert days[date(2026, 11, 2)] == {"potential": (2, 2, 0)}


async def test_a_store_filled_before_the_rollup_is_rebuilt_once(store):
    await store.insert(
        "events",
        [event_row(registered(A, MONDAY)), event_row(moved(A, Stage.POTENTIAL, Stage.NEW, MONDAY))],
    )
    assert await by_day(store, date(2026, 11, 2), date(2026, 11, 3)) == {date(2026, 11, 2): {}}
    await rollups.rebuild_if_empty(store)
    assert (await by_day(store, date(2026, 11, 2), date(2026, 11, 3)))[date(2026, 11, 2)] == {
        "potential": (0, 1, 1),
        "new": (1, 1, 0),
    }
