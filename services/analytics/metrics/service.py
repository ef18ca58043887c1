"""Metrics queries over the event store."""

from datetime import datetime

from chassis.money import Money
from services.analytics.metrics.ranges import Interval
from services.analytics.metrics.sales import Totals, average_order_value, refund_rate
from services.analytics.metrics.schemas import SalesPoint
from services.analytics.store.clickhouse import EventStore
from services.analytics.store.rows import ORDER_PAID, REFUND_COMPLETED

_PERIOD = {
    Interval.DAY: "toDate({t})",
    Interval.WEEK: "toMonday({t})",
    Interval.MONTH: "toStartOfMonth({t})",
}
# A new buyer's first paid order ever falls in the period; the others who paid are returning.
_SALES = """
SELECT {period} AS period, currency,
    sumIf(amount, type = {paid:String}) AS gmv,
    countIf(type = {paid:String}) AS orders,
    uniqExactIf(e.actor, type = {paid:String}) AS paying_users,
    uniqExactIf(e.actor, type = {paid:String} AND {first_period} = period) AS new_buyers,
    sumIf(amount, type = {refunded:String}) AS refunded
FROM {db:Identifier}.events AS e FINAL
LEFT JOIN (
    SELECT actor, min(time) AS first_paid
    FROM {db:Identifier}.events FINAL
    WHERE type = {paid:String}
    GROUP BY actor
) AS f ON e.actor = f.actor
WHERE type IN ({paid:String}, {refunded:String})
    AND time >= {start:DateTime64(3, 'UTC')} AND time < {end:DateTime64(3, 'UTC')}
GROUP BY period, currency
ORDER BY period, currency
"""


async def sales(
    store: EventStore, start: datetime, end: datetime, interval: Interval
) -> list[SalesPoint]:
    rows = await store.rows(
        _SALES.replace("{period}", _PERIOD[interval].replace("{t}", "e.time")).replace(
            "{first_period}", _PERIOD[interval].replace("{t}", "f.first_paid")
        ),
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
        new_buyers=row["new_buyers"],
        returning_buyers=row["paying_users"] - row["new_buyers"],
        average_order_value=None if aov is None else Money(amount=aov, currency=currency),
        refunded=Money(amount=row["refunded"], currency=currency),
        refund_rate=refund_rate(row["refunded"], row["gmv"]),
    )


_TOTALS = """
SELECT sumIf(amount, type = {paid:String}) AS gmv,
    countIf(type = {paid:String}) AS orders,
    uniqExactIf(actor, type = {paid:String}) AS paying_users,
    sumIf(amount, type = {refunded:String}) AS refunded
FROM {db:Identifier}.events FINAL
WHERE type IN ({paid:String}, {refunded:String}) AND currency = {currency:String}
    AND time >= {start:DateTime64(3, 'UTC')} AND time < {end:DateTime64(3, 'UTC')}
"""


async def totals(store: EventStore, start: datetime, end: datetime, currency: str) -> Totals:
    """GMV, orders, paying users and refunds in [start, end) (what alert rules watch)."""
    [row] = await store.rows(
        _TOTALS,
        {
            "paid": ORDER_PAID,
            "refunded": REFUND_COMPLETED,
            "currency": currency,
            "start": start,
            "end": end,
        },
    )
    return Totals(**row)
