"""RFM scoring, pure: quintile cut-offs, ties, the direction of each dimension, and the daily
slot the recomputation runs in."""

from datetime import UTC, datetime, time

import pytest

from services.users.jobs import daily
from services.users.rfm import scoring
from services.users.rfm.scoring import Edges


def test_quintile_cuts_are_nearest_rank_percentiles():
    assert scoring.quintile_cuts(list(range(1, 11))) == (2, 4, 6, 8)
    assert scoring.quintile_cuts([5, 1, 4, 2, 3]) == (1, 2, 3, 4)
    assert scoring.quintile_cuts([7]) == (7, 7, 7, 7)
    # the ranks at 100 and at 101 values: exactly p%, then just over it (ceil)
    assert scoring.quintile_cuts(list(range(1, 101))) == (20, 40, 60, 80)
    assert scoring.quintile_cuts(list(range(1, 102))) == (21, 41, 61, 81)
    assert scoring.quintile_cuts([]) == (0, 0, 0, 0)


def test_ties_land_in_one_score():
    cuts = scoring.quintile_cuts([1] * 8 + [5, 9])
    assert cuts == (1, 1, 1, 1)
    assert scoring.higher_is_better(1, cuts) == 1  # every one-order customer alike
    assert scoring.higher_is_better(5, cuts) == 5


def test_more_is_better_for_frequency_and_money_and_less_for_recency():
    cuts = (2, 4, 6, 8)
    assert [scoring.higher_is_better(v, cuts) for v in (0, 2, 3, 5, 7, 8, 9)] == [
        1,
        1,
        2,
        3,
        4,
        4,
        5,
    ]
    assert [scoring.lower_is_better(v, cuts) for v in (0, 2, 3, 5, 7, 8, 9)] == [
        5,
        5,
        4,
        3,
        2,
        2,
        1,
    ]


def test_a_users_scores_and_code():
    edges = Edges(recency_days=(7, 30, 90, 180), frequency=(1, 2, 4, 8), monetary=(1, 2, 3, 4))
    scores = scoring.score(edges, recency_days=10, frequency=9, monetary=1)
    assert (scores.recency, scores.frequency, scores.monetary, scores.code) == (4, 5, 1, "451")
    with pytest.raises(TypeError):  # the three values are named, never swapped by position
        scoring.score(edges, 10, 9, 1)


def test_edges_from_a_population():
    edges = scoring.edges_from(
        [(1, 5, 5000), (10, 4, 4000), (30, 3, 3000), (90, 2, 2000), (200, 1, 1000)]
    )
    assert edges == Edges((1, 10, 30, 90), (1, 2, 3, 4), (1000, 2000, 3000, 4000))


def test_cut_offs_must_be_four_rising_values():
    assert scoring.ascending([1, 2, 3, 4])
    assert not scoring.ascending([1, 2, 2, 4])
    assert not scoring.ascending([4, 3, 2, 1])
    assert not scoring.ascending([1, 2, 3])
    assert not scoring.ascending([1, 2, 3, 4, 5])


def test_a_daily_job_is_due_once_its_slot_has_passed_since_it_ran():
    at = time(2, 0)
    before = datetime(2026, 12, 1, 1, 59, tzinfo=UTC)
    after = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    assert daily.last_slot(before, at) == datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
    assert daily.last_slot(after, at) == after
    assert daily.due(None, before, at)
    assert not daily.due(datetime(2026, 11, 30, 2, 0, tzinfo=UTC), before, at)
    assert daily.due(datetime(2026, 11, 30, 2, 0, tzinfo=UTC), after, at)
    assert not daily.due(after, datetime(2026, 12, 2, 1, 0, tzinfo=UTC), at)
