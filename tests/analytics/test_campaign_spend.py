"""Campaign spend and ROI in the campaigns list: the latest running total by `changed_at`
before the range's end, whatever order the changes were stored in, a copy changing nothing,
and ROI over the sales in the spend's currency."""

from datetime import UTC, datetime, timedelta

import pytest

from chassis.ids import new_id
from chassis.money import Money
from chassis.pagination import PageRequest
from contracts.orders import Attribution
from services.analytics.campaigns.returns import roi
from services.analytics.campaigns.service import campaigns
from services.analytics.store.rows import event_row
from services.analytics.store.service import record
from tests.analytics.events import order_paid, refunded, scheduled, spend_changed

MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
NOVEMBER = (datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))


@pytest.mark.parametrize(
    ("gmv", "spend", "expected"),
    [
        (3000, 1000, 3.0),
        (1000, 1000, 1.0),
        (0, 1000, 0.0),
        (1000, 3000, 0.33),
        (5000, 0, None),
        (5000, -10, None),
    ],
)
def test_roi_is_net_gmv_per_unit_spent(gmv, spend, expected):
    assert roi(gmv, spend) == expected


async def by_name(store, start=NOVEMBER[0], end=NOVEMBER[1]):
    items, _ = await campaigns(store, start, end, PageRequest(limit=20))
    return {c.name: c for c in items}


async def test_spend_is_the_latest_running_total_and_roi_its_return(store):
    sale, quiet, released = new_id(), new_id(), new_id()
    latest = spend_changed(sale, 2000, MONDAY + 2 * DAY)
    await record(
        store,
        [
            scheduled(sale, "Sale", MONDAY, MONDAY + 5 * DAY, MONDAY - DAY),
            scheduled(quiet, "Quiet", MONDAY, MONDAY + 5 * DAY, MONDAY - DAY),
            scheduled(released, "Released", MONDAY, MONDAY + 5 * DAY, MONDAY - DAY),
            # Stored out of order: the latest change before an earlier, larger one.
            latest,
            spend_changed(sale, 2500, MONDAY + DAY),
            spend_changed(sale, 500, MONDAY + timedelta(hours=2)),
            spend_changed(released, 800, MONDAY),
            spend_changed(released, 0, MONDAY + DAY),  # all given back
            sold := order_paid(
                new_id(), MONDAY, [(new_id(), 6000)], attribution=Attribution(campaign_ids=[sale])
            ),
            # Refunded a day in: the return is net of it.
            refunded(sold.data["customer_id"], MONDAY + DAY, 1000, order_id=sold.data["order_id"]),
            # In another currency than the spend: not in its return.
            order_paid(
                new_id(),
                MONDAY,
                [(new_id(), 9000)],
                "USD",
                attribution=Attribution(campaign_ids=[sale]),
            ),
        ],
    )
    await record(store, [latest])  # redelivered
    await store.insert("events", [event_row(latest)])  # raced in by another writer
    listed = await by_name(store)
    assert listed["Sale"].spent == Money(amount=2000, currency="CNY")
    assert listed["Sale"].roi == 2.5  # (6000 - 1000) / 2000
    assert (listed["Quiet"].spent, listed["Quiet"].roi) == (None, None)
    assert listed["Released"].spent == Money(amount=0, currency="CNY")
    assert listed["Released"].roi is None
    # As of an earlier end: the spend then, against the sales then.
    then = await by_name(store, NOVEMBER[0], MONDAY + DAY + timedelta(hours=1))
    assert then["Sale"].spent == Money(amount=2500, currency="CNY")
    assert then["Sale"].roi == 2.0  # (6000 - 1000) / 2500
    before = await by_name(store, NOVEMBER[0], MONDAY + timedelta(hours=1))
    assert (before["Sale"].spent, before["Sale"].roi) == (None, None)
