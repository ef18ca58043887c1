"""Judging a content call by engagement, pure."""

from datetime import UTC, datetime, timedelta

from chassis.ids import new_id
from services.content.calls.judging import Entry, by_engagement

T0 = datetime(2026, 7, 1, tzinfo=UTC)


def test_engagement_judging_ranks_by_weighted_engagement_and_ties_go_to_the_earlier():
    early, late, quiet = new_id(), new_id(), new_id()
    entries = [
        Entry(quiet, T0, {"views": 10}),
        Entry(late, T0 + timedelta(hours=1), {"likes": 3, "shares": 1}),
        Entry(early, T0, {"likes": 3, "shares": 1}),
    ]
    assert by_engagement(entries, 2) == [early, late]
    assert by_engagement(entries, 5) == [early, late, quiet]
