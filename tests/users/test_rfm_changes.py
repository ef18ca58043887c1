"""Which RFM changes are announced, with which codes and reason (pure): payments and refunds
that move a value, a code unchanged, ageing, new cut-offs, erasure; and when the recency
timer falls due."""

from datetime import UTC, datetime, timedelta

import pytest

from contracts.users import RfmReason
from services.users.rfm import scoring
from services.users.rfm.scoring import Cause, Change, Scored

ONE = Scored(frequency=1, monetary=1000, code="511")
TWO = Scored(frequency=2, monetary=2000, code="522")


def test_first_scores_from_a_payment_are_the_first_order():
    assert scoring.change(None, ONE, Cause.PAID) == Change(None, "511", RfmReason.FIRST_ORDER)


def test_a_payment_that_moves_a_score_is_paid_and_a_refund_refunded():
    assert scoring.change(ONE, TWO, Cause.PAID) == Change("511", "522", RfmReason.PAID)
    assert scoring.change(TWO, ONE, Cause.REFUNDED) == Change("522", "511", RfmReason.REFUNDED)


@pytest.mark.parametrize("cause", list(Cause))
def test_an_unchanged_code_is_never_announced(cause):
    moved_values = Scored(frequency=3, monetary=2500, code="522")
    assert scoring.change(TWO, moved_values, cause) is None  # values moved inside the bands
    assert scoring.change(TWO, TWO, cause) is None
    assert scoring.change(None, None, cause) is None


def test_a_payment_that_moved_no_value_moved_the_code_by_ageing():
    # a payment counted already (sent again by orders): only the days since moved R
    older = Scored(frequency=2, monetary=2000, code="422")
    assert scoring.change(TWO, older, Cause.PAID) == Change("522", "422", RfmReason.AGED)
    assert scoring.change(TWO, older, Cause.REFUNDED) == Change("522", "422", RfmReason.AGED)
    assert scoring.change(TWO, older, Cause.TIMER) == Change("522", "422", RfmReason.AGED)


def test_new_cut_offs_are_cuts_changed_and_the_same_ones_find_ageing():
    older = Scored(frequency=2, monetary=2000, code="422")
    moved = scoring.change(TWO, older, Cause.CUTS, cuts_moved=True)
    assert moved == Change("522", "422", RfmReason.CUTS_CHANGED)
    assert scoring.change(TWO, older, Cause.CUTS) == Change("522", "422", RfmReason.AGED)
    # the first cut-offs score everyone who paid before them
    assert scoring.change(None, ONE, Cause.CUTS) == Change(None, "511", RfmReason.CUTS_CHANGED)


def test_erasure_ends_the_scores():
    assert scoring.change(TWO, None, Cause.ERASED) == Change("522", None, RfmReason.ERASED)
    assert scoring.change(None, None, Cause.ERASED) is None  # never scored: nothing to say


PAID = datetime(2026, 12, 1, 15, 30, tzinfo=UTC)
CUTS = (7, 30, 90, 180)


@pytest.mark.parametrize(
    ("days", "due_days"),
    [(0, 8), (7, 8), (8, 31), (30, 31), (31, 91), (180, 181), (181, None)],
)
def test_the_recency_score_falls_the_day_after_each_cut(days, due_days):
    at = PAID + timedelta(days=days, hours=1)
    due = scoring.recency_drops_at(PAID, at, CUTS)
    assert due == (None if due_days is None else PAID + timedelta(days=due_days))
    if due is not None:  # the score holds until that moment and falls at it
        edges = scoring.Edges(CUTS, (1, 2, 3, 4), (1, 2, 3, 4))
        held = scoring.score(
            edges, recency_days=scoring.days_since(PAID, at), frequency=1, monetary=1
        )
        just_before = scoring.days_since(PAID, due - timedelta(seconds=1))
        at_due = scoring.days_since(PAID, due)
        r = scoring.lower_is_better
        assert r(just_before, CUTS) == held.recency
        assert r(at_due, CUTS) == held.recency - 1


def test_a_payment_stamped_ahead_counts_as_today():
    assert scoring.days_since(PAID, PAID - timedelta(hours=3)) == 0
    assert scoring.recency_drops_at(PAID, PAID - timedelta(hours=3), CUTS) == PAID + timedelta(8)
