"""Metrics, funnels and cohorts over the store, against cases computed by hand."""

from datetime import UTC, date, datetime, timedelta

import pytest

from chassis.ids import new_id
from contracts.analytics import Action, BotSignal
from services.analytics.cohorts.service import cohorts
from services.analytics.funnels.service import funnel
from services.analytics.metrics.ranges import Interval
from services.analytics.metrics.sales import average_order_value
from services.analytics.metrics.service import sales
from services.analytics.store.rows import BEHAVIOUR
from services.analytics.store.service import record
from tests.analytics.events import behaviour, paid, refunded

MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday
DAY = timedelta(days=1)
WEEK = timedelta(weeks=1)
STEPS = ["page_view", "product_view", "add_to_cart"]


async def test_sales_by_day_and_week_count_each_paid_order_once(store):
    x, y, z, w = new_id(), new_id(), new_id(), new_id()
    first = paid(x, MONDAY, 1200, 300)
    events = [
        first,
        first,  # redelivered
        paid(y, MONDAY + timedelta(hours=2), 500),
        paid(z, MONDAY, 700, currency="USD"),
        paid(x, MONDAY + DAY, 1000),
        paid(w, MONDAY - 5 * DAY, 100),  # w bought before the range: returning
        paid(w, MONDAY + DAY, 100),
        refunded(x, MONDAY + DAY, 220),
        paid(y, MONDAY + 3 * WEEK, 9999),  # after the range
    ]
    await record(store, events)
    await record(store, [first])
    end = MONDAY + 2 * DAY
    by_day = await sales(store, MONDAY - DAY, end, Interval.DAY)
    assert [
        (p.period, p.gmv.currency, p.gmv.amount, p.orders, p.paying_users, p.refunded.amount)
        for p in by_day
    ] == [
        (date(2026, 11, 2), "CNY", 2000, 2, 2, 0),
        (date(2026, 11, 2), "USD", 700, 1, 1, 0),
        (date(2026, 11, 3), "CNY", 1100, 2, 2, 220),
    ]
    assert [p.average_order_value.amount for p in by_day] == [1000, 700, 550]
    assert [(p.new_buyers, p.returning_buyers) for p in by_day] == [(2, 0), (1, 0), (0, 2)]
    assert [p.refund_rate for p in by_day] == [0.0, 0.0, 0.2]
    [cny, usd] = await sales(store, MONDAY - DAY, end, Interval.WEEK)
    assert (cny.period, cny.gmv.amount, cny.orders, cny.paying_users) == (
        date(2026, 11, 2),
        3100,
        4,
        3,
    )
    assert (cny.new_buyers, cny.returning_buyers) == (2, 1)
    assert (usd.gmv.amount, usd.average_order_value.amount) == (700, 700)


def test_average_order_value_rounds_half_up_and_needs_orders():
    assert [average_order_value(g, n) for g, n in ((1000, 3), (1001, 2), (999, 2), (5, 0))] == [
        333,
        501,
        500,
        None,
    ]


async def test_a_funnel_counts_people_in_order_within_the_window(store):
    t0 = MONDAY
    a_user, b_user, d_user, e_user = new_id(), new_id(), new_id(), new_id()
    minutes = timedelta(minutes=1)
    events = [
        # A browses anonymously, then signs in and adds to cart: one person, three steps.
        behaviour(Action.PAGE_VIEW, t0, anonymous_id="anon-a-0001"),
        behaviour(Action.PRODUCT_VIEW, t0 + 10 * minutes, anonymous_id="anon-a-0001"),
        behaviour(
            Action.ADD_TO_CART, t0 + 20 * minutes, anonymous_id="anon-a-0001", user_id=a_user
        ),
        # B's second step comes after the window: one step.
        behaviour(Action.PAGE_VIEW, t0, user_id=b_user),
        behaviour(Action.PRODUCT_VIEW, t0 + 2 * 60 * minutes, user_id=b_user),
        # C skips the product view: one step.
        behaviour(Action.PAGE_VIEW, t0, anonymous_id="anon-c-0001"),
        behaviour(Action.ADD_TO_CART, t0 + 5 * minutes, anonymous_id="anon-c-0001"),
        # D views the product before the page: the page view alone counts.
        behaviour(Action.PRODUCT_VIEW, t0, user_id=d_user),
        behaviour(Action.PAGE_VIEW, t0 + minutes, user_id=d_user),
        # E: two steps. F never enters.
        behaviour(Action.PAGE_VIEW, t0, user_id=e_user),
        behaviour(Action.PRODUCT_VIEW, t0 + 30 * minutes, user_id=e_user),
        behaviour(Action.ADD_TO_CART, t0, anonymous_id="anon-f-0001"),
    ]
    await record(store, events)
    steps = await funnel(store, STEPS, timedelta(hours=1), t0 - DAY, t0 + DAY)
    assert [(s.name, s.people) for s in steps] == [
        ("page_view", 5),
        ("product_view", 2),
        ("add_to_cart", 1),
    ]
    assert [s.conversion_from_previous for s in steps] == [1.0, 0.4, 0.5]
    assert [s.conversion_from_first for s in steps] == [1.0, 0.4, 0.2]
    # From the page view to the product view: A 10 min, E 30 min; to the cart: A 10 min.
    assert [s.median_seconds_from_previous for s in steps] == [None, 1200.0, 600.0]


async def test_the_median_time_between_steps_follows_the_chain_the_funnel_counts(store):
    g, h, i, j = new_id(), new_id(), new_id(), new_id()
    minutes = timedelta(minutes=1)
    await record(
        store,
        [
            # G's first page view is too early for the product view: the second one counts.
            behaviour(Action.PAGE_VIEW, MONDAY, user_id=g),
            behaviour(Action.PAGE_VIEW, MONDAY + 50 * minutes, user_id=g),
            behaviour(Action.PRODUCT_VIEW, MONDAY + 70 * minutes, user_id=g),
            # H is done at the first product view; a second one changes nothing.
            behaviour(Action.PAGE_VIEW, MONDAY, user_id=h),
            behaviour(Action.PRODUCT_VIEW, MONDAY + 5 * minutes, user_id=h),
            behaviour(Action.PRODUCT_VIEW, MONDAY + 10 * minutes, user_id=h),
            behaviour(Action.PAGE_VIEW, MONDAY, user_id=i),
            behaviour(Action.PRODUCT_VIEW, MONDAY + minutes, user_id=i),
            behaviour(Action.PAGE_VIEW, MONDAY, user_id=j),  # never goes on
        ],
    )
    steps = await funnel(
        store, ["page_view", "product_view"], timedelta(hours=1), MONDAY - DAY, MONDAY + DAY
    )
    assert [s.people for s in steps] == [4, 3]
    # 20 min (G), 5 min (H), 1 min (I): the median is H's.
    assert [s.median_seconds_from_previous for s in steps] == [None, 300.0]


async def test_a_funnel_nobody_finishes_times_each_step_on_the_chain_that_got_furthest(store):
    """Nobody reaches the last two of four steps: the walk is replayed only as far as anyone
    got, and the chain at that step is the last one to reach it (windowFunnel goes on
    looking for the step after), not the first."""
    k, m = new_id(), new_id()
    minutes = timedelta(minutes=1)
    await record(
        store,
        [
            behaviour(Action.PAGE_VIEW, MONDAY, user_id=k),
            behaviour(Action.PRODUCT_VIEW, MONDAY + 5 * minutes, user_id=k),
            behaviour(Action.PRODUCT_VIEW, MONDAY + 20 * minutes, user_id=k),
            behaviour(Action.PAGE_VIEW, MONDAY, user_id=m),
        ],
    )
    steps = await funnel(
        store,
        ["page_view", "product_view", "add_to_cart", "flywheel.orders.order.paid.v1"],
        timedelta(hours=1),
        MONDAY - DAY,
        MONDAY + DAY,
    )
    assert [s.people for s in steps] == [2, 1, 0, 0]
    assert [s.median_seconds_from_previous for s in steps] == [None, 1200.0, None, None]
    nobody = await funnel(
        store, ["search", "click"], timedelta(hours=1), MONDAY - DAY, MONDAY + DAY
    )
    assert [(s.people, s.median_seconds_from_previous) for s in nobody] == [(0, None), (0, None)]


# Behaviour of 400 people on a one-minute grid: many events share a time, each name
# several times per person.
_CROWD = """
INSERT INTO {db:Identifier}.events
    (id, type, name, source, subject, time, actor, user_id, anonymous_id, data)
SELECT generateUUIDv7(number), {behaviour:String},
    {names:Array(String)}[1 + cityHash64(number, 1) % 4], '/test', person,
    {start:DateTime64(3, 'UTC')} + toIntervalMinute(cityHash64(number, 2) % 120),
    person, person, '', '{}'
FROM (SELECT number, concat('p', toString(cityHash64(number, 3) % 400)) AS person
      FROM numbers(6000))
"""
_WINDOW_FUNNEL = """
SELECT level, count() AS people FROM (
    SELECT windowFunnel({window_ms:UInt64})(toUInt64(toUnixTimestamp64Milli(time)), {conditions})
        AS level
    FROM {db:Identifier}.events FINAL GROUP BY actor
) GROUP BY level
"""


@pytest.mark.parametrize(
    "steps",
    [
        ["page_view", "page_view"],
        ["search", "page_view", "search", "page_view", "add_to_cart"],
        ["add_to_cart", "product_view", "page_view", "product_view", "search", "page_view"],
    ],
)
async def test_a_funnel_counts_the_people_windowfunnel_counts(store, steps):
    """The replay decides how far each person got; ClickHouse's windowFunnel is the
    reference, on a crowd whose events often share a time and repeat a step's name."""
    names = ["page_view", "product_view", "search", "add_to_cart"]
    await store.execute(_CROWD, {"behaviour": BEHAVIOUR, "names": names, "start": MONDAY})
    for window in (timedelta(minutes=1), timedelta(minutes=10)):
        conditions = ", ".join(f"name = '{step}'" for step in steps)
        rows = await store.rows(
            _WINDOW_FUNNEL.replace("{conditions}", conditions),
            {"window_ms": int(window.total_seconds() * 1000)},
        )
        levels = {row["level"]: row["people"] for row in rows if row["level"]}
        expected = [
            sum(n for level, n in levels.items() if level >= k) for k in range(1, len(steps) + 1)
        ]
        counted = await funnel(store, steps, window, MONDAY - DAY, MONDAY + DAY)
        assert [s.people for s in counted] == expected, window
        assert expected[1] > 0  # the crowd goes further than the first step


async def test_a_funnel_step_may_be_a_domain_event(store):
    buyer = new_id()
    await record(
        store,
        [
            behaviour(Action.ADD_TO_CART, MONDAY, user_id=buyer),
            paid(buyer, MONDAY + timedelta(minutes=3), 100),
            behaviour(Action.ADD_TO_CART, MONDAY, user_id=new_id()),
        ],
    )
    steps = await funnel(
        store,
        ["add_to_cart", "flywheel.orders.order.paid.v1"],
        timedelta(minutes=10),
        MONDAY - DAY,
        MONDAY + DAY,
    )
    assert [s.people for s in steps] == [2, 1]


async def test_weekly_cohorts_follow_buyers_from_their_first_paid_week(store):
    x, y, z, q = new_id(), new_id(), new_id(), new_id()
    await record(
        store,
        [
            paid(x, MONDAY, 100),
            paid(x, MONDAY + WEEK, 100),
            paid(x, MONDAY + 2 * WEEK + DAY, 100),
            paid(y, MONDAY + DAY, 100),
            paid(y, MONDAY + 2 * WEEK, 100),
            paid(z, MONDAY + WEEK, 100),
            paid(z, MONDAY + 2 * WEEK, 100),
            paid(q, MONDAY - WEEK, 100),  # q's cohort is the week before the range
            paid(q, MONDAY, 100),
        ],
    )
    found = await cohorts(store, date(2026, 11, 2), date(2026, 11, 10), 2)
    assert [(c.week, c.buyers, c.retained, c.rates) for c in found] == [
        (date(2026, 11, 2), 2, [2, 1, 2], [1.0, 0.5, 1.0]),
        (date(2026, 11, 9), 1, [1, 1, 0], [1.0, 1.0, 0.0]),
    ]


async def test_a_funnel_leaves_out_events_flagged_as_a_bots(store):
    person, crawler = "anon-person-01", "anon-crawler-1"
    await record(
        store,
        [
            behaviour(Action.PAGE_VIEW, MONDAY, anonymous_id=person),
            behaviour(Action.ADD_TO_CART, MONDAY + timedelta(minutes=1), anonymous_id=person),
            behaviour(
                Action.PAGE_VIEW, MONDAY, anonymous_id=crawler, bot_signals=[BotSignal.USER_AGENT]
            ),
            behaviour(
                Action.ADD_TO_CART,
                MONDAY + timedelta(seconds=1),
                anonymous_id=crawler,
                bot_signals=[BotSignal.USER_AGENT],
            ),
            # A person's one flagged event drops that step for them alone.
            behaviour(Action.PAGE_VIEW, MONDAY, anonymous_id="anon-person-02"),
            behaviour(
                Action.ADD_TO_CART,
                MONDAY + timedelta(seconds=2),
                anonymous_id="anon-person-02",
                bot_signals=[BotSignal.RATE],
            ),
        ],
    )
    steps = await funnel(
        store, ["page_view", "add_to_cart"], timedelta(hours=1), MONDAY - DAY, MONDAY + DAY
    )
    assert [s.people for s in steps] == [2, 1]
