"""The rules of interest tags: labels of items, the weight of evidence, the threshold, and
evidence ageing out of the window (when a tag's score falls, and when it drops)."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from services.users.tags import rules
from services.users.tags.rules import Evidence, Source

AT = datetime(2026, 12, 1, tzinfo=UTC)
DAY = AT.date()
WINDOW = timedelta(days=180)


def test_labels_are_normalised_and_a_missing_value_gives_none():
    labels = rules.product_labels("  Acme   Outdoor ", "Tents")
    assert labels == ["brand:acme outdoor", "category:tents"]
    assert rules.product_labels(None, "Tents") == ["category:tents"]
    assert rules.product_labels("", None) == []
    assert rules.post_labels(["Camping", "camping "], ["搭配"]) == ["scene:搭配", "topic:camping"]
    assert len(rules.label("brand", "x" * 200)) <= rules.MAX_TAG


@pytest.mark.parametrize(
    ("counts", "tagged"),
    [
        ({Source.PAID_ORDER: 1}, True),  # 5
        ({Source.PRODUCT_VIEW: 4}, False),  # 4
        ({Source.PRODUCT_VIEW: 5}, True),  # 5
        ({Source.CONTENT: 2}, False),  # 4
        ({Source.CONTENT: 3}, True),  # 6
        ({Source.CONTENT: 2, Source.PRODUCT_VIEW: 1}, True),  # 5
        ({Source.CONTENT: 1, Source.PRODUCT_VIEW: 2}, False),  # 4
    ],
)
def test_a_tag_is_earned_when_its_evidence_weighs_enough(counts, tagged):
    evidence = [Evidence("brand:acme", source, n, DAY) for source, n in counts.items()]
    expected = sum(rules.WEIGHTS[s] * n for s, n in counts.items())
    assert rules.scores(evidence) == {"brand:acme": expected}
    assert rules.system_tags(evidence) == ({"brand:acme": expected} if tagged else {})


def test_each_tag_is_weighed_on_its_own_evidence():
    evidence = [
        Evidence("brand:acme", Source.PRODUCT_VIEW, 3, DAY),
        Evidence("category:tents", Source.PRODUCT_VIEW, 3, DAY),
        Evidence("category:tents", Source.CONTENT, 1, DAY),
    ]
    assert rules.system_tags(evidence) == {"category:tents": 5}


def test_a_days_touches_count_for_the_window_from_the_start_of_that_day():
    late = datetime(2026, 6, 1, 23, 59, tzinfo=UTC)
    assert rules.day_of(late) == date(2026, 6, 1)
    shanghai = timezone(timedelta(hours=8))
    assert rules.day_of(datetime(2026, 6, 2, 1, tzinfo=shanghai)) == date(2026, 6, 1)  # UTC's
    ends = rules.expires_at(date(2026, 6, 1), WINDOW)
    assert ends == datetime(2026, 11, 28, tzinfo=UTC)
    item = Evidence("brand:acme", Source.PAID_ORDER, 1, date(2026, 6, 1))
    assert rules.counts(item, ends - timedelta(microseconds=1), WINDOW)
    assert not rules.counts(item, ends, WINDOW)
    assert rules.first_counted_day(ends - timedelta(microseconds=1), WINDOW) == date(2026, 6, 1)
    assert rules.first_counted_day(ends, WINDOW) == date(2026, 6, 2)


def test_evidence_that_aged_out_earns_nothing():
    old = Evidence("brand:acme", Source.PAID_ORDER, 1, DAY - timedelta(days=180))
    recent = Evidence("brand:acme", Source.PRODUCT_VIEW, 4, DAY)
    assert rules.system_tags([old, recent], AT, WINDOW) == {}  # 4: the order no longer counts
    assert rules.system_tags([old, recent]) == {"brand:acme": 9}  # without a window, all
    kept = Evidence("brand:acme", Source.PAID_ORDER, 1, DAY - timedelta(days=179))
    assert rules.system_tags([kept, recent], AT, WINDOW) == {"brand:acme": 9}


def test_each_expiring_day_lowers_the_score_and_the_last_it_needed_drops_the_tag():
    first, second, third = (DAY - timedelta(days=d) for d in (100, 50, 10))
    evidence = [
        Evidence("topic:camping", Source.CONTENT, 1, first),  # 2
        Evidence("topic:camping", Source.CONTENT, 1, second),  # 2
        Evidence("topic:camping", Source.PRODUCT_VIEW, 2, third),  # 2: 6 in all
    ]
    # losing the first day leaves 4: the tag drops when the first day expires
    assert rules.score_falls_at(evidence, AT, WINDOW) == rules.expires_at(first, WINDOW)
    more = [*evidence, Evidence("topic:camping", Source.PRODUCT_VIEW, 1, third)]  # 7
    # the first day's expiry lowers the score to 5, still earned; the second drops it
    falls = rules.score_falls_at(more, AT, WINDOW)
    assert falls == rules.expires_at(first, WINDOW)
    assert rules.system_tags(more, falls - timedelta(seconds=1), WINDOW) == {"topic:camping": 7}
    assert rules.system_tags(more, falls, WINDOW) == {"topic:camping": 5}
    then = rules.score_falls_at(more, falls, WINDOW)
    assert then == rules.expires_at(second, WINDOW)
    assert rules.system_tags(more, then, WINDOW) == {}
    assert rules.score_falls_at(more, then, WINDOW) is None  # nothing earned: no timer


def test_the_first_earned_day_to_expire_sets_the_moment_and_unearned_tags_set_none():
    soon = Evidence("brand:acme", Source.PAID_ORDER, 1, DAY - timedelta(days=170))
    later = Evidence("category:tents", Source.PAID_ORDER, 1, DAY - timedelta(days=20))
    weak = Evidence("brand:other", Source.PRODUCT_VIEW, 1, DAY - timedelta(days=179))
    falls = rules.score_falls_at([later, soon, weak], AT, WINDOW)
    assert falls == rules.expires_at(soon.day, WINDOW)  # not the weak tag's earlier day
    assert rules.score_falls_at([weak], AT, WINDOW) is None
    assert rules.score_falls_at([], AT, WINDOW) is None
    gone = Evidence("brand:acme", Source.PAID_ORDER, 1, DAY - timedelta(days=400))
    assert rules.score_falls_at([gone], AT, WINDOW) is None  # aged out already: nothing to drop
    # an earned tag's old day that does not take it below the threshold still sets the moment
    old = Evidence("brand:acme", Source.PRODUCT_VIEW, 1, DAY - timedelta(days=150))
    strong = Evidence("brand:acme", Source.PAID_ORDER, 1, DAY - timedelta(days=5))
    falls = rules.score_falls_at(iter([old, strong]), AT, WINDOW)  # any iterable
    assert falls == rules.expires_at(old.day, WINDOW)
