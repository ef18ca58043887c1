"""When a birthday is celebrated (pure rules): 29 February on the 28th in a year without one,
the next celebration never in a year announced already, local midnight in UTC."""

from datetime import UTC, date, datetime

import pytest

from services.users.birthdays import dates


@pytest.mark.parametrize(
    ("month", "day", "year", "possible"),
    [
        (2, 29, None, True),
        (2, 29, 1992, True),
        (2, 29, 1990, False),
        (2, 29, 1900, False),  # a century, not divisible by 400
        (2, 29, 2000, True),
        (2, 30, None, False),
        (4, 31, None, False),
        (12, 31, 1990, True),
        (13, 1, None, False),
        (1, 0, None, False),
    ],
)
def test_which_days_one_can_be_born_on(month, day, year, possible):
    assert dates.possible(month, day, year) is possible


def test_29_february_is_celebrated_on_the_28th_in_a_year_without_one():
    assert dates.celebrated_on(2, 29, 2027) == date(2027, 2, 28)
    assert dates.celebrated_on(2, 29, 2028) == date(2028, 2, 29)
    assert dates.celebrated_on(2, 28, 2028) == date(2028, 2, 28)


def test_the_next_celebration_is_today_or_later_in_a_year_not_announced():
    today = date(2027, 5, 17)
    assert dates.next_celebration(5, 17, today, None) == date(2027, 5, 17)  # today counts
    assert dates.next_celebration(5, 16, today, None) == date(2028, 5, 16)
    assert dates.next_celebration(5, 17, today, 2027) == date(2028, 5, 17)  # announced
    assert dates.next_celebration(12, 1, today, 2027) == date(2028, 12, 1)  # moved: still once
    assert dates.next_celebration(12, 1, today, 2026) == date(2027, 12, 1)
    assert dates.next_celebration(2, 29, date(2027, 3, 1), None) == date(2028, 2, 29)
    assert dates.next_celebration(2, 29, date(2028, 3, 1), None) == date(2029, 2, 28)


def test_a_celebration_begins_at_local_midnight():
    on = date(2027, 5, 17)
    assert dates.begins_at(on, "Asia/Shanghai") == datetime(2027, 5, 16, 16, tzinfo=UTC)
    assert dates.begins_at(on, "UTC") == datetime(2027, 5, 17, tzinfo=UTC)
    assert dates.begins_at(on, "America/Los_Angeles") == datetime(2027, 5, 17, 7, tzinfo=UTC)
