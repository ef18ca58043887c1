"""After-sales rules (pure): every transition of the request for both kinds, who may ask when,
and the share of a line's payment that units are worth."""

from datetime import UTC, datetime, timedelta
from itertools import product

import pytest

from contracts.orders import AfterSaleKind
from services.orders.aftersales.lifecycle import AfterSaleStatus as S
from services.orders.aftersales.lifecycle import (
    IllegalTransition,
    NotRequestable,
    check,
    check_requestable,
)
from services.orders.checkout.lifecycle import OrderStatus
from services.orders.refunds.shares import shipping_back, units_share, worth

K = AfterSaleKind
ALLOWED = {
    (K.REFUND_ONLY, S.REQUESTED, S.APPROVED),
    (K.REFUND_ONLY, S.REQUESTED, S.REJECTED),
    (K.REFUND_ONLY, S.REQUESTED, S.WITHDRAWN),
    (K.REFUND_ONLY, S.APPROVED, S.REFUNDED),
    (K.RETURN_AND_REFUND, S.REQUESTED, S.APPROVED),
    (K.RETURN_AND_REFUND, S.REQUESTED, S.REJECTED),
    (K.RETURN_AND_REFUND, S.REQUESTED, S.WITHDRAWN),
    (K.RETURN_AND_REFUND, S.APPROVED, S.RECEIVED),
    (K.RETURN_AND_REFUND, S.RECEIVED, S.REFUNDED),
}


@pytest.mark.parametrize(("kind", "current", "target"), sorted(ALLOWED))
def test_each_allowed_transition_passes(kind, current, target):
    check(kind, current, target)


@pytest.mark.parametrize(
    ("kind", "current", "target"),
    [t for t in product(K, S, S) if t not in ALLOWED],
)
def test_every_other_transition_is_a_409_naming_both_states(kind, current, target):
    with pytest.raises(IllegalTransition) as raised:
        check(kind, current, target)
    assert raised.value.status == 409
    assert raised.value.extra == {"current": str(current), "target": str(target)}


def test_a_refund_only_never_waits_for_goods_and_a_return_always_does():
    with pytest.raises(IllegalTransition, match="may become: refunded"):
        check(K.REFUND_ONLY, S.APPROVED, S.RECEIVED)
    with pytest.raises(IllegalTransition, match="may become: received"):
        check(K.RETURN_AND_REFUND, S.APPROVED, S.REFUNDED)
    with pytest.raises(IllegalTransition, match=r"nothing \(it is final\)"):
        check(K.RETURN_AND_REFUND, S.REJECTED, S.APPROVED)


DELIVERED_AT = datetime(2026, 12, 1, 12, tzinfo=UTC)
WINDOW = timedelta(days=7)
ASKABLE = {
    (K.REFUND_ONLY, OrderStatus.PAID),
    (K.REFUND_ONLY, OrderStatus.SHIPPED),
    (K.REFUND_ONLY, OrderStatus.DELIVERED),
    (K.RETURN_AND_REFUND, OrderStatus.SHIPPED),
    (K.RETURN_AND_REFUND, OrderStatus.DELIVERED),
}


@pytest.mark.parametrize(("kind", "status"), list(product(K, OrderStatus)))
def test_who_may_ask_depends_on_the_order(kind, status):
    delivered_at = DELIVERED_AT if status == OrderStatus.DELIVERED else None
    if (kind, status) in ASKABLE:
        check_requestable(kind, status, delivered_at, DELIVERED_AT, WINDOW)
    else:
        with pytest.raises(NotRequestable) as raised:
            check_requestable(kind, status, delivered_at, DELIVERED_AT, WINDOW)
        assert raised.value.status == 409
        assert raised.value.extra == {"order_status": str(status)}


@pytest.mark.parametrize("kind", list(K))
def test_a_delivered_order_may_be_asked_about_until_the_window_closes(kind):
    last = DELIVERED_AT + WINDOW - timedelta(microseconds=1)
    check_requestable(kind, OrderStatus.DELIVERED, DELIVERED_AT, last, WINDOW)
    for after in (timedelta(days=1), timedelta(days=365)):
        with pytest.raises(NotRequestable, match="return window closed at 2026-12-08T12:00:00"):
            check_requestable(kind, OrderStatus.DELIVERED, DELIVERED_AT, last + after, WINDOW)
    with pytest.raises(NotRequestable, match="return window closed at 2026-12-08T12:00:00"):
        check_requestable(
            kind, OrderStatus.DELIVERED, DELIVERED_AT, last + timedelta(microseconds=1), WINDOW
        )


@pytest.mark.parametrize(("paid", "quantity"), [(1000, 3), (999, 2), (1, 3), (0, 2), (12345, 7)])
def test_the_shares_of_all_units_add_up_to_what_was_paid(paid, quantity):
    one_by_one = [units_share(paid, quantity, before, 1) for before in range(quantity)]
    assert sum(one_by_one) == paid
    assert max(one_by_one) - min(one_by_one) <= 1
    assert units_share(paid, quantity, 0, quantity) == paid
    assert units_share(paid, quantity, 1, quantity - 1) == paid - one_by_one[0]


@pytest.mark.parametrize(("before", "units"), [(0, 0), (0, 4), (2, 2), (3, 1)])
def test_more_units_than_remain_have_no_share(before, units):
    with pytest.raises(ValueError, match="units of a line of 3"):
        units_share(900, 3, before, units)


@pytest.mark.parametrize(("quantity", "before", "units"), [(3, 0, -1), (4, 1, 4), (2, 1, 2)])
def test_negative_units_or_more_than_are_left_have_no_share(quantity, before, units):
    with pytest.raises(ValueError, match=f"{units} units of a line of {quantity}"):
        units_share(900, quantity, before, units)


def test_units_are_worth_no_more_than_remains_of_the_line():
    assert worth(1000, 2, 0, 0, 1) == 500
    assert worth(1000, 2, 0, 700, 1) == 300  # an operator refunded 700 of it already
    assert worth(1000, 2, 1, 500, 1) == 500


@pytest.mark.parametrize(
    ("kind", "left", "back"),
    [
        (None, 0, True),  # an operator's refund (or a cancelled order's) of what was left
        (AfterSaleKind.REFUND_ONLY, 0, True),
        (AfterSaleKind.RETURN_AND_REFUND, 0, False),  # the carriage was done
        (None, 1, False),  # something of the lines stays paid: the order still ships
        (AfterSaleKind.REFUND_ONLY, 1, False),
    ],
)
def test_the_shipping_fee_goes_back_with_the_refund_that_leaves_nothing_of_the_lines(
    kind, left, back
):
    assert shipping_back(kind, left) is back
