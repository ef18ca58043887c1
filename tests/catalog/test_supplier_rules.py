"""Restocking rules without I/O: the reorder point and what to order, a purchase order's
moves, the scorecard's rates."""

from fractions import Fraction

import pytest

from services.catalog.suppliers import rules
from services.catalog.suppliers.rules import OrderAction, OrderState


def figures(**given) -> rules.Reorder:
    defaults = dict(
        sold=60, lead_time_days=7, safety_stock=10, available=0, on_order=0, cover_days=30
    )
    return rules.reorder(**(defaults | given))


def test_the_reorder_point_is_lead_time_demand_plus_safety_stock():
    at = figures(sold=60)  # 2 a day, 7 days: 14, + 10
    assert at.velocity == Fraction(2)
    assert at.reorder_point == 24


def test_lead_time_demand_rounds_up_to_whole_units():
    assert figures(sold=10, lead_time_days=4, safety_stock=0).reorder_point == 2  # 1.33 → 2
    assert figures(sold=0).reorder_point == 10  # no sales: the safety stock alone


@pytest.mark.parametrize(
    ("available", "on_order", "quantity"),
    [
        (25, 0, 0),  # above the point: nothing
        (24, 0, 60),  # at the point: up to 24 + 30 days x 2 = 84
        (10, 4, 70),  # what is on order counts
        (0, 0, 84),
        (20, 10, 0),  # on order lifts the position above the point
    ],
)
def test_at_or_below_the_point_order_up_to_it_plus_the_cover(available, on_order, quantity):
    at = figures(available=available, on_order=on_order)
    assert at.position == available + on_order
    assert at.quantity == quantity


def test_fractional_cover_demand_rounds_up():
    at = figures(sold=1, lead_time_days=1, safety_stock=0, available=0, cover_days=10)
    assert (at.reorder_point, at.quantity) == (1, 2)  # ceil(1/30) + ceil(10/30)


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (OrderState.DRAFT, OrderAction.SEND),
        (OrderState.DRAFT, OrderAction.CANCEL),
        (OrderState.SENT, OrderAction.RECEIVE),
        (OrderState.SENT, OrderAction.CANCEL),
        (OrderState.PARTIALLY_RECEIVED, OrderAction.RECEIVE),
    ],
)
def test_the_legal_moves(state, action):
    assert state in rules.leaves(state, action)


LEGAL = {
    (OrderState.DRAFT, OrderAction.SEND),
    (OrderState.DRAFT, OrderAction.CANCEL),
    (OrderState.SENT, OrderAction.RECEIVE),
    (OrderState.SENT, OrderAction.CANCEL),
    (OrderState.PARTIALLY_RECEIVED, OrderAction.RECEIVE),
}


@pytest.mark.parametrize(
    ("state", "action"), [(s, a) for s in OrderState for a in OrderAction if (s, a) not in LEGAL]
)
def test_every_other_move_is_409(state, action):
    with pytest.raises(rules.IllegalTransition) as refused:
        rules.leaves(state, action)
    assert refused.value.status == 409


def test_an_order_is_received_when_nothing_is_outstanding():
    assert rules.after_receipt(0) == OrderState.RECEIVED
    assert rules.after_receipt(1) == OrderState.PARTIALLY_RECEIVED


def test_the_scorecard_rates():
    card = rules.Scorecard(receipts=3, on_time=2, units=200, defective=7)
    assert (card.on_time_rate, card.defect_rate) == (0.6667, 0.035)
    empty = rules.Scorecard(receipts=0, on_time=0, units=0, defective=0)
    assert (empty.on_time_rate, empty.defect_rate) == (None, None)
