"""Users per RFM layer and code per day, from users' scores changes: the rollup agrees with
a hand count, copies and racing writers included, a move inside a layer moves no layer, and
late changes land on their own day."""

from datetime import UTC, date, datetime, timedelta

from chassis.ids import new_id
from contracts.users import RfmReason as Reason
from services.analytics.metrics.rfm import RfmGrouping, RfmLayer
from services.analytics.metrics.service import rfm
from services.analytics.store import rollups
from services.analytics.store.rows import event_row
from services.analytics.store.service import record
from tests.analytics.events import rescored

MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
A, B, C = new_id(), new_id(), new_id()
LAYER, CODE = RfmGrouping.LAYER, RfmGrouping.CODE


async def by_day(store, start: date, end: date, by=LAYER) -> dict[date, dict]:
    """Per day, the groups that hold anyone or moved: (users, entered, exited)."""
    days: dict[date, dict] = {}
    for p in await rfm(store, start, end, by):
        groups = days.setdefault(p.day, {})
        if (p.users, p.entered, p.exited) != (0, 0, 0):
            groups[p.group] = (p.users, p.entered, p.exited)
    return days


async def test_each_day_holds_each_layers_population_at_its_end(store):
    await record(
        store,
        [
            rescored(A, None, "111", MONDAY, Reason.FIRST_ORDER),
            # 23:59 UTC: Monday; the next at 00:00, Tuesday.
            rescored(B, None, "555", MONDAY + timedelta(hours=14, minutes=59), Reason.FIRST_ORDER),
            rescored(C, None, "525", MONDAY + timedelta(hours=15), Reason.FIRST_ORDER),
            rescored(A, "111", "313", MONDAY + DAY),  # general retain -> important develop
        ],
    )
    await record(
        store,
        [
            rescored(B, "555", "255", MONDAY + 3 * DAY, Reason.AGED),
            rescored(C, "525", None, MONDAY + 3 * DAY, Reason.ERASED),
        ],
    )
    days = await by_day(store, date(2026, 11, 1), date(2026, 11, 7))
    assert days == {
        date(2026, 11, 1): {},
        date(2026, 11, 2): {"important_value": (1, 1, 0), "general_retain": (1, 1, 0)},
        date(2026, 11, 3): {
            "important_value": (1, 0, 0),
            "important_develop": (2, 2, 0),
            "general_retain": (0, 0, 1),
        },
        date(2026, 11, 4): {"important_value": (1, 0, 0), "important_develop": (2, 0, 0)},
        date(2026, 11, 5): {
            "important_value": (0, 0, 1),
            "important_develop": (1, 0, 1),
            "important_keep": (1, 1, 0),
        },
        date(2026, 11, 6): {"important_develop": (1, 0, 0), "important_keep": (1, 0, 0)},
    }
    # Every layer on every day, in the layers' order, and a range that starts later carries
    # the population of the days before it.
    points = await rfm(store, date(2026, 11, 6), date(2026, 11, 7), LAYER)
    assert [p.group for p in points] == [layer.value for layer in RfmLayer]
    assert [p.users for p in points] == [0, 1, 1, 0, 0, 0, 0, 0]
    # By code: the codes anyone held up to the range's end, in the codes' order.
    codes = await by_day(store, date(2026, 11, 2), date(2026, 11, 7), CODE)
    assert codes[date(2026, 11, 3)] == {
        "111": (0, 0, 1),
        "313": (1, 1, 0),
        "525": (1, 1, 0),
        "555": (1, 0, 0),
    }
    assert codes[date(2026, 11, 5)] == {
        "255": (1, 1, 0),
        "313": (1, 0, 0),
        "525": (0, 0, 1),
        "555": (0, 0, 1),
    }
    points = await rfm(store, date(2026, 11, 6), date(2026, 11, 7), CODE)
    assert [(p.group, p.users) for p in points] == [
        ("111", 0),
        ("255", 1),
        ("313", 1),
        ("525", 0),
        ("555", 0),
    ]
    assert await rfm(store, date(2026, 11, 1), date(2026, 11, 2), CODE) == []


async def test_a_move_inside_a_layer_moves_the_code_not_the_layer(store):
    await record(
        store,
        [
            rescored(A, None, "333", MONDAY, Reason.FIRST_ORDER),
            rescored(A, "333", "545", MONDAY + timedelta(hours=1)),
        ],
    )
    day = date(2026, 11, 2)
    assert (await by_day(store, day, day + DAY))[day] == {"important_value": (1, 1, 0)}
    assert (await by_day(store, day, day + DAY, CODE))[day] == {
        "333": (0, 1, 1),
        "545": (1, 1, 0),
    }


async def test_a_redelivered_or_raced_in_change_counts_once(store):
    change = rescored(A, "111", "555", MONDAY)
    await record(store, [rescored(A, None, "111", MONDAY, Reason.FIRST_ORDER), change])
    await record(store, [change])  # redelivered
    # Another writer did not see it stored, wrote it again and recounted its day.
    await store.insert("events", [event_row(change)])
    await rollups.recount(store, [MONDAY.date()], rollups.RFM)
    day = date(2026, 11, 2)
    assert (await by_day(store, day, day + DAY))[day] == {
        "important_value": (1, 1, 0),
        "general_retain": (0, 1, 1),
    }


async def test_a_late_change_lands_on_its_own_day_and_every_day_after(store):
    await record(
        store,
        [
            rescored(A, None, "111", MONDAY, Reason.FIRST_ORDER),
            rescored(A, "511", "555", MONDAY + 2 * DAY),
        ],
    )
    await record(store, [rescored(A, "111", "511", MONDAY + DAY)])  # came late
    days = await by_day(store, date(2026, 11, 2), date(2026, 11, 5))
    assert days[date(2026, 11, 3)] == {"general_retain": (0, 0, 1), "general_develop": (1, 1, 0)}
    assert days[date(2026, 11, 4)] == {"general_develop": (0, 0, 1), "important_value": (1, 1, 0)}


async def test_a_late_stale_recount_does_not_replace_a_newer_one(store):
    await record(
        store,
        [
            rescored(A, None, "555", MONDAY, Reason.FIRST_ORDER),
            rescored(B, None, "444", MONDAY, Reason.FIRST_ORDER),
        ],
    )
    # A writer that read the day before the second change landed writes last.
    await store.execute(
        "INSERT INTO {db:Identifier}.rfm_daily (day, grouping, label, entered, exited, events) "
        "VALUES ('2026-11-02', 'layer', 'important_value', 1, 0, 1)"
    )
    day = date(2026, 11, 2)
    assert (await by_day(store, day, day + DAY))[day] == {"important_value": (2, 2, 0)}


async def test_a_store_filled_before_the_rollup_is_rebuilt_once(store):
    await store.insert("events", [event_row(rescored(A, None, "125", MONDAY, Reason.FIRST_ORDER))])
    day = date(2026, 11, 2)
    assert await by_day(store, day, day + DAY) == {day: {}}
    await rollups.rebuild_if_empty(store)
    assert (await by_day(store, day, day + DAY))[day] == {"important_retain": (1, 1, 0)}
