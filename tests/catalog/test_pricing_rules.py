"""Pricing rules without I/O: the margin guard's floor, which price applies when, and the
life of a scheduled change."""

from datetime import UTC, datetime, timedelta

import pytest

from chassis.ids import new_id
from services.catalog.pricing import rules
from services.catalog.pricing.rules import ScheduleAction, ScheduleState, Window

T0 = datetime(2026, 12, 12, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.mark.parametrize(
    ("cost", "bps", "lowest"),
    [
        (4000, 1000, 4445),  # 4444.4 rounds up: 4444 would keep 9.99%
        (4500, 1000, 5000),  # exact
        (4000, 0, 4000),  # no margin asked: at cost
        (0, 5000, 0),
        (1, 9999, 10_000),
        (7, 3000, 10),  # 7 / 0.7 = 10 exactly
    ],
)
def test_the_floor_is_the_least_price_keeping_the_margin(cost, bps, lowest):
    assert rules.floor(cost, bps) == lowest
    assert rules.below_floor(lowest, cost, bps) is None
    assert rules.below_floor(lowest + 1, cost, bps) is None
    if lowest > 0:
        assert rules.below_floor(lowest - 1, cost, bps) == lowest
        assert (lowest - cost) * rules.BPS >= bps * lowest
        assert (lowest - 1 - cost) * rules.BPS < bps * (lowest - 1)


@pytest.mark.parametrize("bps", [-1, 10_000, 12_000])
def test_a_margin_that_leaves_nothing_for_the_cost_is_an_error(bps):
    with pytest.raises(ValueError, match="margin"):
        rules.floor(100, bps)


def test_a_sku_without_a_cost_is_not_guarded():
    assert rules.below_floor(1, None, 5000) is None


@pytest.mark.parametrize(
    ("price", "cost", "margin"),
    [(10_000, 6000, 4000), (7900, 4200, 4683), (3000, 4000, -3334), (100, 100, 0), (0, 5, None)],
)
def test_margin_in_basis_points_of_the_price(price, cost, margin):
    assert rules.margin_bps(price, cost) == margin


def test_the_base_price_is_the_sale_price_when_there_is_one():
    assert rules.base_price(9900, None) == 9900
    assert rules.base_price(9900, 7900) == 7900
    assert rules.base_price(9900, 0) == 0


def window(amount, starts_at, ends_at=None, scheduled_at=T0 - HOUR, id_=None) -> Window:
    return Window(id_ or new_id(), amount, starts_at, scheduled_at, ends_at)


def test_without_a_covering_window_the_base_price_applies():
    sale = window(500, T0, T0 + HOUR)
    assert rules.resolve(900, [], T0) == rules.Resolved(900, None)
    assert rules.resolve(900, [sale], T0 - timedelta(microseconds=1)).amount == 900
    assert rules.resolve(900, [sale], T0 + HOUR).amount == 900  # the end is exclusive
    assert rules.resolve(900, [sale], T0) == rules.Resolved(500, sale.id)


def test_a_window_without_an_end_lasts():
    lasting = window(500, T0)
    assert rules.resolve(900, [lasting], T0 + timedelta(days=365)).amount == 500


def test_the_window_that_started_last_wins_while_it_lasts():
    # The flash sale was scheduled first: what counts is that it starts later.
    flash = window(400, T0 + 2 * HOUR, T0 + 3 * HOUR, scheduled_at=T0 - 2 * HOUR)
    promotion = window(700, T0, T0 + 10 * HOUR, scheduled_at=T0 - HOUR)
    both = [flash, promotion]
    assert rules.resolve(900, both, T0 + HOUR).amount == 700
    assert rules.resolve(900, both, T0 + 2 * HOUR).window == flash.id
    assert rules.resolve(900, both, T0 + 3 * HOUR).window == promotion.id
    assert rules.resolve(900, both, T0 + 10 * HOUR).window is None


def test_windows_and_resolutions_are_values():
    sale = window(500, T0)
    with pytest.raises(AttributeError):
        sale.amount = 1
    with pytest.raises(AttributeError):
        rules.resolve(900, [sale], T0).amount = 1


def test_of_two_starting_together_the_one_scheduled_last_wins():
    low, high = sorted([new_id(), new_id()])
    # The later one has the lower id: the time it was scheduled decides, not the id.
    first = window(700, T0, scheduled_at=T0 - 2 * HOUR, id_=high)
    second = window(600, T0, scheduled_at=T0 - HOUR, id_=low)
    assert rules.resolve(900, [second, first], T0).window == second.id
    assert rules.resolve(900, [first, second], T0).window == second.id


@pytest.mark.parametrize(
    ("state", "action", "reaches"),
    [
        (ScheduleState.PENDING, ScheduleAction.START, ScheduleState.ACTIVE),
        (ScheduleState.PENDING, ScheduleAction.REFUSE, ScheduleState.REFUSED),
        (ScheduleState.PENDING, ScheduleAction.CANCEL, ScheduleState.CANCELLED),
        (ScheduleState.ACTIVE, ScheduleAction.CANCEL, ScheduleState.CANCELLED),
        (ScheduleState.ACTIVE, ScheduleAction.END, ScheduleState.ENDED),
    ],
)
def test_the_moves_of_a_scheduled_change(state, action, reaches):
    leaves, reached = rules.move(state, action)
    assert state in leaves
    assert reached == reaches


LEGAL = {
    (ScheduleState.PENDING, ScheduleAction.START),
    (ScheduleState.PENDING, ScheduleAction.REFUSE),
    (ScheduleState.PENDING, ScheduleAction.CANCEL),
    (ScheduleState.ACTIVE, ScheduleAction.CANCEL),
    (ScheduleState.ACTIVE, ScheduleAction.END),
}


@pytest.mark.parametrize(
    ("state", "action"),
    [(s, a) for s in ScheduleState for a in ScheduleAction if (s, a) not in LEGAL],
)
def test_every_other_move_is_illegal(state, action):
    with pytest.raises(rules.IllegalTransition) as refused:
        rules.move(state, action)
    assert refused.value.status == 409
