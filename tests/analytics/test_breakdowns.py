"""Sales split by channel, category, campaign and segment, and the repurchase rate, against
one small case computed by hand."""

from datetime import UTC, date, datetime, timedelta

import pytest

from chassis.ids import new_id
from contracts.orders import Attribution
from services.analytics.metrics.dimensions import Dimension
from services.analytics.metrics.ranges import Interval
from services.analytics.metrics.service import sales
from services.analytics.store.service import record
from tests.analytics.events import coupon_claimed, order_paid, product, refunded, segment

MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
X, Y, W = new_id(), new_id(), new_id()  # buyers
CAT_A, CAT_B = new_id(), new_id()
C1, C2 = new_id(), new_id()  # campaigns
S1, S2, S9, P3 = new_id(), new_id(), new_id(), new_id()  # S9: no product; P3: no SKUs
COUPON = new_id()  # claimed in C2
O1 = new_id()


def case():
    p1, p2 = new_id(), new_id()
    return [
        product(p1, MONDAY - 9 * DAY, CAT_A, [S1]),
        product(p2, MONDAY - 9 * DAY, CAT_A, [S2]),
        product(p2, MONDAY - 8 * DAY, CAT_B, [S2], updated=True),  # the latest category counts
        product(P3, MONDAY - 9 * DAY, CAT_A),
        coupon_claimed(COUPON, C2, MONDAY - 7 * DAY),
        # o1: X, campaign C1 by name: S1 (A) 1000 + S2 (B) 500; S2 refunded the same day.
        order_paid(
            X,
            MONDAY,
            [(S1, 1000), (S2, 500)],
            order_id=O1,
            attribution=Attribution(campaign_ids=[C1]),
        ),
        refunded(X, MONDAY + timedelta(hours=5), 500, order_id=O1, sku_id=S2),
        # o2: Y, from content with a coupon of C2: content comes first as a channel.
        order_paid(
            Y,
            MONDAY,
            [(P3, 300)],
            attribution=Attribution(content_id=new_id(), coupon_ids=[COUPON]),
        ),
        # o3: X, direct, a SKU of no known product.
        order_paid(X, MONDAY + timedelta(hours=1), [(S9, 200)]),
        # o4: Y, a flash sale of campaign C1.
        order_paid(
            Y,
            MONDAY + timedelta(hours=2),
            [(S1, 400)],
            attribution=Attribution(flash_reservation_id=new_id(), campaign_ids=[C1]),
        ),
        # W bought before the range (returning), then once in it, direct.
        order_paid(W, MONDAY - 5 * DAY, [(S9, 100)]),
        order_paid(W, MONDAY + timedelta(hours=3), [(S9, 100)]),
    ]


def figures(points):
    return [
        (
            p.group,
            p.gmv.amount,
            p.orders,
            p.paying_users,
            p.new_buyers,
            p.returning_buyers,
            p.repeat_buyers,
            p.refunded.amount,
        )
        for p in points
    ]


@pytest.fixture
async def recorded(store):
    await record(store, case())
    return store


async def day(store, by):
    points = await sales(store, MONDAY - DAY, MONDAY + DAY, Interval.DAY, by)
    assert {(p.period, p.gmv.currency) for p in points} == {(date(2026, 11, 2), "CNY")}
    return points


async def test_sales_without_a_breakdown_count_repeat_buyers(recorded):
    [total] = await day(recorded, None)
    # X: o1, o3; Y: o2, o4 (both repeat); W: one order in the range, returning.
    assert figures([total]) == [(None, 2500, 5, 3, 2, 1, 2, 500)]
    assert total.repurchase_rate == 0.666667
    assert total.refund_rate == 0.2


async def test_sales_by_channel_take_the_first_attribution_that_applies(recorded):
    points = await day(recorded, Dimension.CHANNEL)
    assert figures(points) == [
        ("campaign", 1500, 1, 1, 1, 0, 0, 500),
        ("content", 300, 1, 1, 1, 0, 0, 0),
        ("direct", 300, 2, 2, 1, 1, 0, 0),
        ("flash_sale", 400, 1, 1, 1, 0, 0, 0),
    ]
    assert [p.refund_rate for p in points] == [0.333333, 0.0, 0.0, 0.0]
    assert [p.average_order_value.amount for p in points] == [1500, 300, 150, 400]


async def test_sales_by_campaign_count_named_campaigns_and_those_of_coupons(recorded):
    points = await day(recorded, Dimension.CAMPAIGN)
    campaigns = sorted(
        [
            (str(C1), 1900, 2, 2, 2, 0, 0, 500),  # o1 and o4
            (str(C2), 300, 1, 1, 1, 0, 0, 0),  # o2, through its coupon
        ]
    )
    assert figures(points) == [*campaigns, (None, 300, 2, 2, 1, 1, 0, 0)]  # o3, W's


async def test_sales_by_category_split_each_order_by_its_lines(recorded):
    points = await day(recorded, Dimension.CATEGORY)
    categories = sorted(
        [
            (str(CAT_A), 1700, 3, 2, 2, 0, 1, 0),  # S1 of o1 and o4, P3 of o2: Y twice
            (str(CAT_B), 500, 1, 1, 1, 0, 0, 500),  # S2 of o1, refunded
        ]
    )
    assert figures(points) == [*categories, (None, 300, 2, 2, 1, 1, 0, 0)]  # S9
    a = points[[p.group for p in points].index(str(CAT_A))]
    assert (a.repurchase_rate, a.average_order_value.amount) == (0.5, 567)


async def test_a_refund_counts_in_its_own_period_under_its_orders_group(recorded):
    await record(recorded, [refunded(Y, MONDAY + DAY, 100, order_id=O1, sku_id=S1)])
    points = await sales(recorded, MONDAY - DAY, MONDAY + 2 * DAY, Interval.DAY, Dimension.CHANNEL)
    later = [p for p in points if p.period == date(2026, 11, 3)]
    assert figures(later) == [("campaign", 0, 0, 0, 0, 0, 0, 100)]
    assert later[0].refund_rate is None


async def test_each_channel_in_its_order_of_precedence(store):
    attributions = {
        "flash_sale": Attribution(flash_reservation_id=new_id(), group_id=new_id()),
        "group_buy": Attribution(group_id=new_id(), bargain_id=new_id()),
        "bargain": Attribution(bargain_id=new_id(), content_id=new_id()),
        "content": Attribution(content_id=new_id(), campaign_ids=[C1]),
        "campaign": Attribution(coupon_ids=[COUPON]),  # a coupon alone is a campaign's
        "direct": Attribution(),
    }
    amounts = dict(zip(attributions, (100, 200, 300, 400, 500, 600), strict=True))
    await record(
        store,
        [
            order_paid(X, MONDAY, [(S1, amounts[channel])], attribution=attribution)
            for channel, attribution in attributions.items()
        ],
    )
    points = await day(store, Dimension.CHANNEL)
    assert {p.group: p.gmv.amount for p in points} == amounts


async def test_sales_by_segment_count_each_order_in_the_segments_its_buyer_was_in(recorded):
    vip, new = new_id(), new_id()
    hour = timedelta(hours=1)
    await record(
        recorded,
        [
            # X is a VIP from before the day until half an hour in: o1 counts, o3 does not.
            segment(X, vip, MONDAY - 3 * DAY),
            segment(X, vip, MONDAY + hour / 2, left=True),
            # Y is new from an hour in: o4 counts, o2 (before) does not; also VIP from o4 on.
            segment(Y, new, MONDAY + hour),
            segment(Y, vip, MONDAY + 2 * hour),  # the moment of o4: counts
            # W left before the day and came back after it: no segment for its order.
            segment(W, new, MONDAY - 6 * DAY),
            segment(W, new, MONDAY - 4 * DAY, left=True),
            segment(W, new, MONDAY + 2 * DAY),
        ],
    )
    points = await day(recorded, Dimension.SEGMENT)
    segments = sorted(
        [
            (str(vip), 1900, 2, 2, 2, 0, 0, 500),  # o1 (its refund too) and o4
            (str(new), 400, 1, 1, 1, 0, 0, 0),  # o4
        ]
    )
    # o2, o3 and W's: in no segment (X and Y first paid this day, W before).
    assert figures(points) == [*segments, (None, 600, 3, 3, 2, 1, 0, 0)]
