"""The campaigns list from campaigns' events: each campaign's plan and furthest state in
whatever order its events were stored, the window filter, the sales and claims attributed
to it in the range, pages."""

from datetime import UTC, datetime, timedelta

from chassis.ids import new_id
from chassis.money import Money
from chassis.pagination import PageRequest
from contracts.orders import Attribution
from services.analytics.campaigns.service import campaigns
from services.analytics.store.service import record
from tests.analytics.events import (
    campaign_moved,
    coupon_claimed,
    order_paid,
    paid,
    refunded,
    scheduled,
)

MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
NOVEMBER = (datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))


async def listed(store, start=NOVEMBER[0], end=NOVEMBER[1], limit=20):
    items, cursor = await campaigns(store, start, end, PageRequest(limit=limit))
    return items, cursor


async def test_each_campaign_is_listed_with_its_plan_and_furthest_state(store):
    sale, day, called_off, upcoming = new_id(), new_id(), new_id(), new_id()
    budget = Money(amount=100_000, currency="CNY")
    await record(
        store,
        [
            # Stored out of order: the end before the start, the start before the plan.
            campaign_moved(sale, "ended", MONDAY + 3 * DAY),
            campaign_moved(sale, "started", MONDAY),
            scheduled(sale, "双十一", MONDAY, MONDAY + 3 * DAY, MONDAY - DAY, budget),
            scheduled(day, "Brand day", MONDAY + DAY, MONDAY + 2 * DAY, MONDAY - DAY),
            campaign_moved(day, "started", MONDAY + DAY),
            scheduled(called_off, "Gone", MONDAY + 5 * DAY, MONDAY + 6 * DAY, MONDAY),
            campaign_moved(called_off, "cancelled", MONDAY + DAY),
            scheduled(upcoming, "Later", MONDAY + 9 * DAY, MONDAY + 10 * DAY, MONDAY),
            campaign_moved(new_id(), "started", MONDAY),  # never scheduled in the store
        ],
    )
    items, cursor = await listed(store)
    assert cursor is None
    assert [(c.name, c.state, c.starts_at) for c in items] == [
        ("Later", "scheduled", MONDAY + 9 * DAY),
        ("Gone", "cancelled", MONDAY + 5 * DAY),
        ("Brand day", "running", MONDAY + DAY),
        ("双十一", "ended", MONDAY),
    ]
    first = items[-1]
    assert (first.id, first.kind, first.ends_at, first.budget) == (
        sale,
        "holiday_sale",
        MONDAY + 3 * DAY,
        budget,
    )
    assert items[0].budget is None
    # The window overlaps the range, or the campaign is not listed; pages follow the cursor.
    items, _ = await listed(store, MONDAY + 4 * DAY, MONDAY + 9 * DAY)
    assert [c.name for c in items] == ["Gone"]
    page, cursor = await listed(store, limit=3)
    rest, last = await campaigns(store, *NOVEMBER, PageRequest(limit=3, cursor=cursor))
    assert ([c.name for c in page], [c.name for c in rest], last) == (
        ["Later", "Gone", "Brand day"],
        ["双十一"],
        None,
    )


async def test_sales_and_claims_are_the_ones_attributed_to_it_in_the_range(store):
    sale, other = new_id(), new_id()
    buyer, coupon = new_id(), new_id()
    named = order_paid(
        buyer, MONDAY, [(new_id(), 4000)], attribution=Attribution(campaign_ids=[sale])
    )
    await record(
        store,
        [
            scheduled(sale, "Sale", MONDAY - DAY, MONDAY + 5 * DAY, MONDAY - 2 * DAY),
            scheduled(other, "Other", MONDAY - DAY, MONDAY + 5 * DAY, MONDAY - 2 * DAY),
            coupon_claimed(coupon, sale, MONDAY),
            coupon_claimed(new_id(), sale, datetime(2026, 10, 20, tzinfo=UTC)),  # before
            named,
            order_paid(
                buyer,
                MONDAY + DAY,
                [(new_id(), 1500)],
                attribution=Attribution(coupon_ids=[coupon]),
            ),
            order_paid(
                buyer,
                MONDAY,
                [(new_id(), 900)],
                "USD",
                attribution=Attribution(campaign_ids=[sale]),
            ),
            refunded(buyer, MONDAY + 2 * DAY, 500, order_id=named.data["order_id"]),
            paid(buyer, MONDAY, 7000),  # no campaign's
        ],
    )
    await record(store, [named])  # redelivered: counted once
    by_name = {c.name: c for c in (await listed(store))[0]}
    sale_figures = [
        (s.gmv.currency, s.gmv.amount, s.orders, s.refunded.amount) for s in by_name["Sale"].sales
    ]
    assert sale_figures == [("CNY", 5500, 2, 500), ("USD", 900, 1, 0)]
    assert by_name["Sale"].claims == 1
    assert (by_name["Other"].sales, by_name["Other"].claims) == ([], 0)
