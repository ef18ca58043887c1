"""Cohort queries: ClickHouse's retention() over each buyer's weeks of paid orders."""

from datetime import UTC, date, datetime, time, timedelta

from services.analytics.cohorts.retention import rates
from services.analytics.cohorts.schemas import Cohort
from services.analytics.store.clickhouse import EventStore
from services.analytics.store.rows import ORDER_PAID

# First orders are looked for over all time: a buyer's cohort is the week they first paid,
# even if the range asked starts later.
_COHORTS = """
SELECT cohort, count() AS buyers, sumForEach(weeks) AS retained
FROM (
    SELECT o.buyer AS buyer, f.cohort AS cohort, retention({weeks}) AS weeks
    FROM (
        SELECT actor AS buyer, toMonday(time) AS week
        FROM {db:Identifier}.events FINAL
        WHERE type = {paid:String}
            AND time >= {start:DateTime64(3, 'UTC')} AND time < {until:DateTime64(3, 'UTC')}
    ) AS o
    INNER JOIN (
        SELECT actor AS buyer, toMonday(min(time)) AS cohort
        FROM {db:Identifier}.events FINAL
        WHERE type = {paid:String}
        GROUP BY actor
        HAVING cohort >= {first_week:Date} AND cohort < {end_week:Date}
    ) AS f ON o.buyer = f.buyer
    GROUP BY buyer, cohort
)
GROUP BY cohort
ORDER BY cohort
"""


async def cohorts(store: EventStore, first_week: date, end_week: date, weeks: int) -> list[Cohort]:
    """Cohorts of the weeks from `first_week` (a Monday) to before `end_week`, each followed
    `weeks` weeks after its first."""
    conditions = ", ".join(f"o.week = addWeeks(f.cohort, {k})" for k in range(weeks + 1))
    start = datetime.combine(first_week, time(), UTC)
    until = datetime.combine(end_week + timedelta(weeks=weeks), time(), UTC)
    rows = await store.rows(
        _COHORTS.replace("{weeks}", conditions),
        {
            "paid": ORDER_PAID,
            "start": start,
            "until": until,
            "first_week": first_week.isoformat(),
            "end_week": end_week.isoformat(),
        },
    )
    return [
        Cohort(
            week=row["cohort"],
            buyers=row["buyers"],
            retained=row["retained"],
            rates=rates(row["buyers"], row["retained"]),
        )
        for row in rows
    ]
