"""Calendar rules: a campaign ends after it starts."""

from datetime import UTC, datetime, timedelta

import pytest

from services.campaigns.schedule import check_window

START = datetime(2026, 12, 12, tzinfo=UTC)


def test_a_campaign_may_end_any_time_after_it_starts():
    check_window(START, START + timedelta(microseconds=1))
    check_window(START, START + timedelta(days=30))


@pytest.mark.parametrize("ends_at", [START, START - timedelta(seconds=1)])
def test_a_campaign_cannot_end_when_or_before_it_starts(ends_at):
    with pytest.raises(ValueError, match="after starts_at"):
        check_window(START, ends_at)
