"""Metrics queries over the event store."""

from datetime import datetime

from chassis.money import Money
from services.analytics.metrics.ranges import Interval
from services.analytics.metrics.sales import average_order_value
from services.analytics.metrics.schemas import SalesPoint
from services.analytics.store.clickhouse import EventStore
from services.analytics.store.rows import ORDER_PAID, REFUND_COMPLETED

_PERIOD = {
    Interval.DAY: "toDate(time)",
    Interval.WEEK: "toMonday(time)",
    Interval.MONTH: "toStartOfMonth(time)",
}
_SALES = """
SELECT {period} AS period, currency,
    sumIf(amount, type = {paid:String}) AS gmv,
    countIf(type = {paid:String}) AS orders,
    uniqExactIf(actor, type = {paid:String}) AS paying_users,
    sumIf(amount, type = {refunded:String}) AS refunded
FROM {db:Identifier}.events FINAL
WHERE type IN ({paid:String}, {refunded:String})
    AND time >= {start:DateTime64(3, 'UTC')} AND time < {end:DateTime64(3, 'UTC')}
GROUP BY period, currency
ORDER BY period, currency
"""


async def sales(
    store: EventStore, start: datetime, end: datetime, interval: Interval
) -> list[SalesPoint]:
    rows = await store.rows(
        _SALES.replace("{period}", _PERIOD[interval]),
        {"paid": ORDER_PAID, "refunded": REFUND_COMPLETED, "start": start, "end": end},
    )
    return [_point(row) for row in rows]


def _point(row: dict) -> SalesPoint:
    currency = row["currency"]
    aov = average_order_value(row["gmv"], row["orders"])
    return SalesPoint(
        period=row["period"],
        gmv=Money(amount=row["gmv"], currency=currency),
        orders=row["orders"],
        paying_users=row["paying_users"],
        average_order_value=None if aov is None else Money(amount=aov, currency=currency),
        refunded=Money(amount=row["refunded"], currency=currency),
    )
