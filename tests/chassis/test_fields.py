"""Request field types that hold JSON (and query text) to its meaning."""

from datetime import UTC, datetime

import pytest
from pydantic import TypeAdapter, ValidationError

from chassis.http.fields import Timestamp

MOMENT = TypeAdapter(Timestamp)


@pytest.mark.parametrize("value", [0, 1.5, "0.5", "1700000000", "2026-12-01T09:00:00", True])
def test_a_number_or_a_naive_time_is_not_a_moment(value):
    with pytest.raises(ValidationError):
        MOMENT.validate_python(value)


def test_iso_text_with_an_offset_is_the_same_instant_in_utc():
    parsed = MOMENT.validate_python("2026-12-01T17:00:00+08:00")
    assert parsed == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert parsed.tzinfo is UTC
