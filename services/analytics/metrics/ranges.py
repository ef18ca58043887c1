"""How far a query may reach (pure: no I/O): a range too large for the plan is a 422 that
says the limit, before it scans months of raw events."""

from datetime import date, datetime, timedelta
from enum import StrEnum

from chassis.http.problems import InvalidInput


class Interval(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


# About 370 points at most per series, whatever the interval.
MAX_RANGE = {
    Interval.DAY: timedelta(days=370),
    Interval.WEEK: timedelta(weeks=260),
    Interval.MONTH: timedelta(days=3660),
}
FUNNEL_MAX_RANGE = timedelta(days=92)
COHORT_MAX_RANGE = timedelta(weeks=53)


def check_range(start: datetime | date, end: datetime | date, limit: timedelta, what: str) -> None:
    """`start` before `end`, at most `limit` apart; errors name `query.to`."""
    if end <= start:
        raise InvalidInput("query.to", "must be after `from`")
    if end - start > limit:
        raise InvalidInput("query.to", f"{what} cover at most {limit.days} days")


# ClickHouse's `Date`, in which the daily rollups keep their days.
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(2149, 6, 6)


def check_stored_days(start: date, end: date, interval: Interval) -> None:
    """Days [start, end) of a daily rollup read by `interval`: in order, within the interval's
    longest range, and days a rollup can hold (others would wrap around in the store); errors
    name the field."""
    check_range(start, end, MAX_RANGE[interval], f"{interval.value} figures")
    if start < FIRST_DAY:
        raise InvalidInput("query.from", f"must be {FIRST_DAY.isoformat()} or later")
    if end > LAST_DAY:
        raise InvalidInput("query.to", f"must be {LAST_DAY.isoformat()} or earlier")
