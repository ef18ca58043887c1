"""Metrics queries over the event store."""

from datetime import date, datetime

from chassis.money import Money
from contracts.users import LifecycleStage
from services.analytics.metrics.dimensions import FACTS, Dimension
from services.analytics.metrics.ranges import Interval
from services.analytics.metrics.rfm import CODES, RfmGrouping, RfmLayer
from services.analytics.metrics.sales import Totals, average_order_value, refund_rate, share
from services.analytics.metrics.schemas import GmvPoint, LifecyclePoint, RfmPoint, SalesPoint
from services.analytics.store import rollups
from services.analytics.store.clickhouse import EventStore
from services.analytics.store.rows import (
    COUPON_CLAIMED,
    ORDER_PAID,
    PRODUCT_CREATED,
    PRODUCT_UPDATED,
    REFUND_COMPLETED,
    SEGMENT_ENTERED,
    SEGMENT_LEFT,
)

STAGES = tuple(LifecycleStage)  # the machine's order: potential first, churned last
_PERIOD = {
    Interval.DAY: "toDate({t})",
    Interval.WEEK: "toMonday({t})",
    Interval.MONTH: "toStartOfMonth({t})",
}
# Per person and group first (a repeat buyer paid two orders or more in the period), then
# per group; a new buyer's first paid order ever falls in the period, the others returning.
_SALES = """
SELECT period, currency, breakdown,
    sum(person_gmv) AS gmv,
    sum(person_orders) AS orders,
    countIf(person_orders > 0) AS paying_users,
    countIf(person_orders > 0 AND {first_period} = period) AS new_buyers,
    countIf(person_orders > 1) AS repeat_buyers,
    sum(person_refunded) AS refunded
FROM (
    SELECT {period} AS period, f.currency AS currency, {breakdown} AS breakdown, f.actor AS actor,
        sumIf(f.amount, f.is_paid) AS person_gmv,
        uniqExactIf(f.order_id, f.is_paid) AS person_orders,
        sumIf(f.amount, NOT f.is_paid) AS person_refunded
    FROM ({facts}) AS f
    {join}
    GROUP BY period, currency, breakdown, actor
) AS p
LEFT JOIN (
    SELECT actor, min(time) AS first_paid
    FROM {db:Identifier}.events FINAL
    WHERE type = {paid:String}
    GROUP BY actor
) AS b ON p.actor = b.actor
GROUP BY period, currency, breakdown
ORDER BY period, currency, breakdown = '', breakdown
"""


async def sales(
    store: EventStore,
    start: datetime,
    end: datetime,
    interval: Interval,
    by: Dimension | None = None,
) -> list[SalesPoint]:
    """Sales per period and currency in [start, end), split by `by` when given."""
    facts, groups, key = FACTS[by]
    join = f"LEFT JOIN ({groups}) AS g ON f.{key} = g.{key}" if groups else ""
    sql = (
        _SALES.replace("{facts}", facts)
        .replace("{join}", join)
        .replace("{breakdown}", "g.breakdown" if groups else "''")
        .replace("{period}", _PERIOD[interval].replace("{t}", "f.time"))
        .replace("{first_period}", _PERIOD[interval].replace("{t}", "b.first_paid"))
    )
    rows = await store.rows(
        sql,
        {
            "paid": ORDER_PAID,
            "refunded": REFUND_COMPLETED,
            "coupon_claimed": COUPON_CLAIMED,
            "product_created": PRODUCT_CREATED,
            "product_updated": PRODUCT_UPDATED,
            "segment_entered": SEGMENT_ENTERED,
            "segment_left": SEGMENT_LEFT,
            "start": start,
            "end": end,
        },
    )
    return [_point(row, grouped=by is not None) for row in rows]


def _point(row: dict, *, grouped: bool) -> SalesPoint:
    currency = row["currency"]
    return SalesPoint(
        period=row["period"],
        group=(row["breakdown"] or None) if grouped else None,
        gmv=Money(amount=row["gmv"], currency=currency),
        orders=row["orders"],
        paying_users=row["paying_users"],
        new_buyers=row["new_buyers"],
        returning_buyers=row["paying_users"] - row["new_buyers"],
        repeat_buyers=row["repeat_buyers"],
        repurchase_rate=share(row["repeat_buyers"], row["paying_users"]),
        average_order_value=_money(average_order_value(row["gmv"], row["orders"]), row),
        refunded=Money(amount=row["refunded"], currency=currency),
        refund_rate=refund_rate(row["refunded"], row["gmv"]),
    )


async def gmv(store: EventStore, start: date, end: date, interval: Interval) -> list[GmvPoint]:
    """GMV, orders and refunds per period and currency of the days [start, end), from the
    daily rollup (`store/rollups.py`): the console's hot chart, without a raw scan."""
    rows = await rollups.read(store, rollups.SALES, start, end, period=_PERIOD[interval])
    return [
        GmvPoint(
            period=row["period"],
            gmv=Money(amount=row["gmv"], currency=row["currency"]),
            orders=row["orders"],
            average_order_value=_money(average_order_value(row["gmv"], row["orders"]), row),
            refunded=Money(amount=row["refunded"], currency=row["currency"]),
            refund_rate=refund_rate(row["refunded"], row["gmv"]),
        )
        for row in rows
    ]


def _money(amount: int | None, row: dict) -> Money | None:
    return None if amount is None else Money(amount=amount, currency=row["currency"])


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


async def lifecycle(store: EventStore, start: date, end: date) -> list[LifecyclePoint]:
    """Users per lifecycle stage at the end of each day of [start, end), with the day's
    entries and exits, from the lifecycle rollup (`store/rollups.py`)."""
    rows = await rollups.read(
        store, rollups.LIFECYCLE, start, end, keys=[stage.value for stage in STAGES]
    )
    return [
        LifecyclePoint(
            day=row["period"],
            stage=row["stage"],
            users=_population(row),
            entered=row["entered"],
            exited=row["exited"],
        )
        for row in rows
    ]


def _population(row: dict) -> int:
    """Users in a group at the end of a day: every move into it up to then, less every move
    out."""
    return row["entered_to_date"] - row["exited_to_date"]


_RFM_CODES_HELD = """
SELECT DISTINCT label FROM {db:Identifier}.rfm_daily
WHERE grouping = 'code' AND day < {end:Date}
"""


async def rfm(store: EventStore, start: date, end: date, by: RfmGrouping) -> list[RfmPoint]:
    """Users per RFM layer (or per code) at the end of each day of [start, end), with the
    day's entries and exits, from the RFM rollup (`store/rollups.py`). By code, only the
    codes anyone held up to `end`: 125 a day would be mostly zeros."""
    if by is RfmGrouping.LAYER:
        groups = [layer.value for layer in RfmLayer]
    else:
        held = {row["label"] for row in await store.rows(_RFM_CODES_HELD, {"end": end})}
        groups = [code for code in CODES if code in held]
    rows = await rollups.read(
        store,
        rollups.RFM,
        start,
        end,
        keys=groups,
        where="grouping = {grouping:String}",
        params={"grouping": by.value},
    )
    return [
        RfmPoint(
            day=row["period"],
            group=row["label"],
            users=_population(row),
            entered=row["entered"],
            exited=row["exited"],
        )
        for row in rows
    ]
