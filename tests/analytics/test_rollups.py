"""The daily sales rollup agrees with the raw events, copies and racing writers included."""

from datetime import UTC, date, datetime, timedelta

from chassis.ids import new_id
from services.analytics.metrics.ranges import Interval
from services.analytics.metrics.service import gmv, sales
from services.analytics.store import rollups
from services.analytics.store.rows import event_row
from services.analytics.store.service import record
from tests.analytics.events import paid, refunded

MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
X, Y = new_id(), new_id()


def rolled(points):
    return [(p.period, p.gmv.currency, p.gmv.amount, p.orders, p.refunded.amount) for p in points]


async def agree(store, start: date, end: date) -> list:
    """The rollup's figures, having checked them against the raw query at each interval."""
    for interval in Interval:
        at = datetime(start.year, start.month, start.day, tzinfo=UTC)
        until = datetime(end.year, end.month, end.day, tzinfo=UTC)
        assert rolled(await gmv(store, start, end, interval)) == rolled(
            await sales(store, at, until, interval)
        ), interval
    return rolled(await gmv(store, start, end, Interval.DAY))


async def test_the_rollup_holds_each_days_figures_as_the_raw_events_do(store):
    first = paid(X, MONDAY, 1200, 300)
    await record(
        store,
        [
            first,
            paid(Y, MONDAY + timedelta(hours=14, minutes=59), 500),  # 23:59 UTC: still Monday
            paid(Y, MONDAY + timedelta(hours=15), 700),  # Tuesday 00:00 UTC
            paid(X, MONDAY, 900, currency="USD"),
            refunded(X, MONDAY + DAY, 200),
        ],
    )
    await record(store, [paid(X, MONDAY + 8 * DAY, 100), first])  # a later batch, a repeat
    assert await agree(store, date(2026, 11, 1), date(2026, 12, 1)) == [
        (date(2026, 11, 2), "CNY", 2000, 2, 0),
        (date(2026, 11, 2), "USD", 900, 1, 0),
        (date(2026, 11, 3), "CNY", 700, 1, 200),
        (date(2026, 11, 10), "CNY", 100, 1, 0),
    ]
    [week] = [
        p
        for p in await gmv(store, date(2026, 11, 2), date(2026, 11, 9), Interval.WEEK)
        if p.gmv.currency == "CNY"
    ]
    assert (week.gmv.amount, week.orders, week.average_order_value.amount) == (2700, 3, 900)
    assert week.refund_rate == 0.074074


async def test_a_copy_raced_in_by_another_writer_is_counted_once(store):
    order = paid(X, MONDAY, 1000)
    await record(store, [order])
    # Another writer did not see it stored and wrote it again, then recounted its day.
    await store.insert("events", [event_row(order)])
    await rollups.recount(store, [MONDAY.date()])
    assert await agree(store, date(2026, 11, 2), date(2026, 11, 3)) == [
        (date(2026, 11, 2), "CNY", 1000, 1, 0)
    ]
    # The first writer's next batch on that day: still once.
    await record(store, [order, paid(Y, MONDAY, 50)])
    assert await agree(store, date(2026, 11, 2), date(2026, 11, 3)) == [
        (date(2026, 11, 2), "CNY", 1050, 2, 0)
    ]


async def test_a_late_stale_recount_does_not_replace_a_newer_one(store):
    await record(store, [paid(X, MONDAY, 1000), paid(Y, MONDAY, 500)])
    # A writer that read the day before the second order landed writes its recount last.
    await store.execute(
        "INSERT INTO {db:Identifier}.sales_daily (day, currency, gmv, orders, refunded, events) "
        "VALUES ('2026-11-02', 'CNY', 1000, 1, 0, 1)"
    )
    assert await agree(store, date(2026, 11, 2), date(2026, 11, 3)) == [
        (date(2026, 11, 2), "CNY", 1500, 2, 0)
    ]


async def test_a_store_filled_before_the_rollup_is_rebuilt_once(store):
    order = paid(X, MONDAY, 1000)
    await store.insert("events", [event_row(order), event_row(refunded(X, MONDAY, 10))])
    assert await gmv(store, date(2026, 11, 2), date(2026, 11, 3), Interval.DAY) == []
    await rollups.rebuild_if_empty(store)
    assert await agree(store, date(2026, 11, 2), date(2026, 11, 3)) == [
        (date(2026, 11, 2), "CNY", 1000, 1, 10)
    ]
