"""The bargain cut rule over many seeds: never below the floor, the floor exactly on the
last help, at least one minor unit per help, and amounts that vary."""

from random import Random

import pytest

from services.campaigns.bargains.cuts import cut

TERMS = [(100, 1), (100, 2), (10, 10), (11, 10), (5_000, 7), (29_900, 30), (1_000_000, 100)]


def _bargain(left: int, helps: int, rng: Random) -> list[int]:
    amounts = []
    for done in range(helps):
        amount = cut(left, helps - done, rng)
        assert 1 <= amount <= left - (helps - done - 1)  # room for every help to come
        amounts.append(amount)
        left -= amount
    return amounts


@pytest.mark.parametrize(("left", "helps"), TERMS)
def test_every_bargain_reaches_the_floor_exactly_on_its_last_help(left, helps):
    for seed in range(500):
        amounts = _bargain(left, helps, Random(seed))
        assert len(amounts) == helps
        assert sum(amounts) == left  # the floor, not a unit above or below
        assert all(a >= 1 for a in amounts)


def test_the_last_help_cuts_whatever_is_left():
    assert cut(37, 1, Random(0)) == 37


def test_cuts_vary_and_stay_near_twice_the_fair_share():
    amounts = [cut(1_000, 10, Random(seed)) for seed in range(2_000)]
    assert max(amounts) == 200  # 2 * 1000 / 10
    assert min(amounts) == 1
    assert 90 <= sum(amounts) / len(amounts) <= 110  # about the fair share of 100


def test_one_unit_per_help_leaves_no_choice():
    assert _bargain(5, 5, Random(1)) == [1, 1, 1, 1, 1]


@pytest.mark.parametrize(("left", "helps"), [(4, 5), (0, 1), (10, 0)])
def test_terms_without_a_unit_per_help_are_refused(left, helps):
    with pytest.raises(ValueError, match="at least 1 each"):
        cut(left, helps, Random(0))
