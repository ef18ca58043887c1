"""The campaigns list: the calendar rebuilt from campaigns' events in the store, each with
the sales the store attributes to it (the sales breakdown's own attribution), its spend
and the return on it."""

from datetime import datetime
from typing import Any
from uuid import UUID

from chassis.events import registry
from chassis.money import Money
from chassis.pagination import PageRequest, decode_cursor, encode_cursor
from contracts.campaigns import (
    BudgetSpendChanged,
    CampaignCancelled,
    CampaignEnded,
    CampaignScheduled,
    CampaignStarted,
)
from services.analytics.campaigns.returns import roi
from services.analytics.campaigns.schemas import CampaignOut, CampaignSales
from services.analytics.metrics.dimensions import FACTS, Dimension
from services.analytics.store.clickhouse import EventStore
from services.analytics.store.rows import COUPON_CLAIMED, ORDER_PAID, REFUND_COMPLETED

_TYPES = {
    "scheduled": registry.of(CampaignScheduled).type,
    "started": registry.of(CampaignStarted).type,
    "ended": registry.of(CampaignEnded).type,
    "cancelled": registry.of(CampaignCancelled).type,
}
SPEND_CHANGED = registry.of(BudgetSpendChanged).type
# A campaign's plan is its latest `scheduled`; its state the furthest of its moves, whatever
# order they were stored in (ended and cancelled are final, and only one of them happens).
_LIST = """
SELECT campaign_id, name, kind, starts_at, ends_at, budget_amount, budget_currency, state
FROM (
    SELECT subject AS campaign_id,
        argMaxIf(data, time, type = {scheduled:String}) AS plan,
        countIf(type = {scheduled:String}) AS plans,
        JSONExtractString(plan, 'name') AS name,
        JSONExtractString(plan, 'kind') AS kind,
        parseDateTime64BestEffort(JSONExtractString(plan, 'starts_at'), 3, 'UTC') AS starts_at,
        parseDateTime64BestEffort(JSONExtractString(plan, 'ends_at'), 3, 'UTC') AS ends_at,
        JSONExtractInt(plan, 'budget', 'amount') AS budget_amount,
        JSONExtractString(plan, 'budget', 'currency') AS budget_currency,
        multiIf(
            countIf(type = {cancelled:String}) > 0, 'cancelled',
            countIf(type = {ended:String}) > 0, 'ended',
            countIf(type = {started:String}) > 0, 'running',
            'scheduled'
        ) AS state
    FROM {db:Identifier}.events FINAL
    WHERE type IN ({scheduled:String}, {started:String}, {ended:String}, {cancelled:String})
    GROUP BY campaign_id
)
WHERE plans > 0
    AND starts_at < {end:DateTime64(3, 'UTC')} AND ends_at > {start:DateTime64(3, 'UTC')}
    AND {after}
ORDER BY starts_at DESC, campaign_id DESC
LIMIT {limit:UInt32}
"""
_AFTER = "(starts_at, campaign_id) < ({cursor_start:DateTime64(3, 'UTC')}, {cursor_id:String})"

_ORDERS, _ATTRIBUTION, _ = FACTS[Dimension.CAMPAIGN]
_SALES = f"""
SELECT g.breakdown AS campaign_id, f.currency AS currency,
    sumIf(f.amount, f.is_paid) AS gmv,
    uniqExactIf(f.order_id, f.is_paid) AS orders,
    sumIf(f.amount, NOT f.is_paid) AS refunded
FROM ({_ORDERS}) AS f
INNER JOIN ({_ATTRIBUTION}) AS g ON f.order_id = g.order_id
WHERE g.breakdown IN {{ids:Array(String)}}
GROUP BY campaign_id, currency
ORDER BY campaign_id, currency
"""
_CLAIMS = """
SELECT JSONExtractString(data, 'campaign_id') AS campaign_id, count() AS claims
FROM {db:Identifier}.events FINAL
WHERE type = {coupon_claimed:String} AND campaign_id IN {ids:Array(String)}
    AND time >= {start:DateTime64(3, 'UTC')} AND time < {end:DateTime64(3, 'UTC')}
GROUP BY campaign_id
"""

# `spent` is a running total, so the latest change before `to` is the spend then: latest by
# the campaigns service's `changed_at`, whatever order the changes were stored in (then by
# the envelope's time and time-ordered id, for two changes of one millisecond). A copy of a
# change is stored once; were it stored twice, it would still be the same latest.
_SPEND = """
SELECT campaign_id, JSONExtractInt(latest, 'spent', 'amount') AS amount,
    JSONExtractString(latest, 'spent', 'currency') AS currency
FROM (
    SELECT subject AS campaign_id,
        argMax(data, (changed_at, time, id)) AS latest
    FROM (
        SELECT subject, data, time, id,
            parseDateTime64BestEffort(JSONExtractString(data, 'changed_at'), 3, 'UTC')
                AS changed_at
        FROM {db:Identifier}.events FINAL
        WHERE type = {spend_changed:String} AND subject IN {ids:Array(String)}
    )
    WHERE changed_at < {end:DateTime64(3, 'UTC')}
    GROUP BY campaign_id
)
"""


async def campaigns(
    store: EventStore, start: datetime, end: datetime, page: PageRequest
) -> tuple[list[CampaignOut], str | None]:
    """Campaigns whose window overlaps [start, end), latest start first, with their sales
    and claims in [start, end)."""
    params: dict[str, Any] = _TYPES | {"start": start, "end": end, "limit": page.limit + 1}
    after = "1"
    if page.cursor is not None:
        params["cursor_start"], cursor_id = decode_cursor(page.cursor, [datetime, UUID])
        params["cursor_id"] = str(cursor_id)
        after = _AFTER
    rows = await store.rows(_LIST.replace("{after}", after), params)
    more = len(rows) > page.limit
    rows = rows[: page.limit]
    ids = [row["campaign_id"] for row in rows]
    sales: dict[str, list[CampaignSales]] = {}
    claims: dict[str, int] = {}
    spent: dict[str, Money] = {}
    if ids:
        figures = {
            "start": start,
            "end": end,
            "ids": ids,
            "paid": ORDER_PAID,
            "refunded": REFUND_COMPLETED,
            "coupon_claimed": COUPON_CLAIMED,
            "spend_changed": SPEND_CHANGED,
        }
        for row in await store.rows(_SALES, figures):
            sales.setdefault(row["campaign_id"], []).append(_sales(row))
        claims = {row["campaign_id"]: row["claims"] for row in await store.rows(_CLAIMS, figures)}
        spent = {
            row["campaign_id"]: Money(amount=row["amount"], currency=row["currency"])
            for row in await store.rows(_SPEND, figures)
        }
    found = [
        CampaignOut(
            id=row["campaign_id"],
            name=row["name"],
            kind=row["kind"],
            starts_at=row["starts_at"],
            ends_at=row["ends_at"],
            state=row["state"],
            budget=(
                Money(amount=row["budget_amount"], currency=row["budget_currency"])
                if row["budget_currency"]
                else None
            ),
            sales=sales.get(row["campaign_id"], []),
            claims=claims.get(row["campaign_id"], 0),
            spent=spent.get(row["campaign_id"]),
            roi=_roi(sales.get(row["campaign_id"], []), spent.get(row["campaign_id"])),
        )
        for row in rows
    ]
    cursor = encode_cursor([rows[-1]["starts_at"], rows[-1]["campaign_id"]]) if more else None
    return found, cursor


def _sales(row: dict) -> CampaignSales:
    currency = row["currency"]
    return CampaignSales(
        gmv=Money(amount=row["gmv"], currency=currency),
        orders=row["orders"],
        refunded=Money(amount=row["refunded"], currency=currency),
    )


def _roi(sales: list[CampaignSales], spent: Money | None) -> float | None:
    if spent is None:
        return None
    mine = [s for s in sales if s.gmv.currency == spent.currency]
    return roi(sum(s.gmv.amount - s.refunded.amount for s in mine), spent.amount)
