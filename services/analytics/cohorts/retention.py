"""Cohort arithmetic (pure: no I/O)."""

from datetime import date, timedelta

from chassis.http.problems import InvalidInput

MAX_WEEKS = 26  # ClickHouse's retention() takes at most 32 conditions


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def rates(buyers: int, retained: list[int]) -> list[float]:
    return [round(count / buyers, 6) if buyers else 0.0 for count in retained]


def check_weeks(weeks: int) -> None:
    if not 1 <= weeks <= MAX_WEEKS:
        raise InvalidInput("query.weeks", f"from 1 to {MAX_WEEKS}")
