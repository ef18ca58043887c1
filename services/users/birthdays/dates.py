"""When a birthday is celebrated (pure): the day in a given year (29 February on the 28th in a
year without one), the next celebration still to announce, and the moment it begins in a time
zone."""

import calendar
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

# 2000 is a leap year: every (month, day) a person can be born on exists in it.
_LEAP = 2000


def days_in(month: int) -> int:
    """The most days the month has in any year (29 for February)."""
    return calendar.monthrange(_LEAP, month)[1]


def possible(month: int, day: int, birth_year: int | None = None) -> bool:
    """Whether someone can be born on the day: in `birth_year` when it is known."""
    if not 1 <= month <= 12 or not 1 <= day <= days_in(month):
        return False
    return birth_year is None or day <= calendar.monthrange(birth_year, month)[1]


def celebrated_on(month: int, day: int, year: int) -> date:
    """The day of `year` a birthday on (month, day) is celebrated: 29 February on the 28th
    in a year without a 29th."""
    if (month, day) == (2, 29) and not calendar.isleap(year):
        return date(year, 2, 28)
    return date(year, month, day)


def next_celebration(month: int, day: int, today: date, announced: int | None) -> date:
    """The first celebration on or after `today` (the local date) in a year after
    `announced` (the last year announced, if any): once per year, however the birthday or
    the time zone moves."""
    year = today.year if announced is None else max(today.year, announced + 1)
    on = celebrated_on(month, day, year)
    return on if on >= today else celebrated_on(month, day, year + 1)


def begins_at(on: date, zone: str) -> datetime:
    """Local midnight of `on` in `zone`, in UTC (in the rare zone whose clocks skip
    midnight, the moment the offset before the change names)."""
    return datetime.combine(on, time(0), tzinfo=ZoneInfo(zone)).astimezone(UTC)
