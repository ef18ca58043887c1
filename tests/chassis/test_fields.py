"""Request field types that hold JSON (and query text) to its meaning."""

from datetime import UTC, datetime

import pytest
from pydantic import TypeAdapter, ValidationError

from chassis.http.fields import MAX_URL, Timestamp, Trimmed, WebUrl

MOMENT = TypeAdapter(Timestamp)


@pytest.mark.parametrize("value", [0, 1.5, "0.5", "1700000000", "2026-12-01T09:00:00", True])
def test_a_number_or_a_naive_time_is_not_a_moment(value):
    with pytest.raises(ValidationError):
        MOMENT.validate_python(value)


def test_iso_text_with_an_offset_is_the_same_instant_in_utc():
    parsed = MOMENT.validate_python("2026-12-01T17:00:00+08:00")
    assert parsed == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert parsed.tzinfo is UTC


WEB_URL = TypeAdapter(WebUrl)


def test_a_url_lengthened_past_the_limit_by_normalisation_is_refused():
    # 700 "é" are 700 characters as sent and 4,200 once percent-encoded.
    lengthened = "https://cdn.example.com/" + "é" * 700
    with pytest.raises(ValidationError, match="once normalised"):
        WEB_URL.validate_python(lengthened)


def test_a_url_is_kept_normalised_and_reads_back_as_itself():
    url = WEB_URL.validate_python("https://CDN.example.com/茶.jpg")
    assert str(url) == "https://cdn.example.com/%E8%8C%B6.jpg"
    assert WEB_URL.validate_python(str(url)) == url
    edge = "https://cdn.example.com/" + "a" * (MAX_URL - 24)
    assert len(str(WEB_URL.validate_python(edge))) == MAX_URL


REASON = TypeAdapter(Trimmed(10))
NOTE = TypeAdapter(Trimmed(10, min_length=0))


def test_trimmed_text_is_measured_as_sent_as_the_schema_states():
    assert REASON.json_schema() == {"type": "string", "minLength": 1, "maxLength": 10}
    with pytest.raises(ValidationError, match="at most 10"):
        REASON.validate_python("late" + "\t" * 7)  # 4 characters once trimmed, 11 as sent
    assert REASON.validate_python("  late\t\n") == "late"


def test_blank_text_is_too_short_once_trimmed_unless_it_may_be_empty():
    with pytest.raises(ValidationError, match="once trimmed") as refused:
        REASON.validate_python("   ")
    assert refused.value.errors()[0]["type"] == "string_too_short"
    assert NOTE.validate_python("   ") == ""
