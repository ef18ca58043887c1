"""Check-in days and streak rewards. No I/O."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

# Points for day 1..7 of a streak; the cycle starts again on day 8, so a long streak keeps
# earning the weekly bonus and never an ever-growing amount.
WEEK = (1, 1, 2, 2, 3, 3, 10)


def local_day(at: datetime, time_zone: str | None) -> date:
    """The calendar day `at` falls on where the user lives (UTC when they have not said)."""
    return at.astimezone(ZoneInfo(time_zone or "UTC")).date()


def streak(previous_day: date | None, previous_streak: int, today: date) -> int:
    """The streak a check-in on `today` makes: one more than yesterday's, else a new one."""
    if previous_day is not None and (today - previous_day).days == 1:
        return previous_streak + 1
    return 1


def reward(streak_days: int) -> int:
    return WEEK[(streak_days - 1) % len(WEEK)]
