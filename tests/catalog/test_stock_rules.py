"""Stock rules without I/O: reservation lines, manual adjustments, low/out/restocked signals."""

import pytest

from chassis.ids import new_id
from services.catalog.inventory.models import LedgerReason
from services.catalog.inventory.stock import (
    Signal,
    check_adjustment,
    merge_lines,
    returnable,
    signal,
)


def test_lines_merge_per_sku_in_id_order():
    a, b = sorted([new_id(), new_id()])
    assert list(merge_lines([(b, 1), (a, 2), (b, 3)]).items()) == [(a, 2), (b, 4)]
    with pytest.raises(ValueError, match="not positive"):
        merge_lines([(a, 0)])


@pytest.mark.parametrize(
    ("before", "after", "threshold", "expected"),
    [
        (10, 9, 5, None),
        (10, 5, 5, Signal.LOW),
        (6, 3, 5, Signal.LOW),
        (4, 3, 5, None),  # already low: said once
        (4, 0, 5, Signal.OUT),
        (10, 0, 5, Signal.OUT),
        (0, 0, 5, None),
        (0, 3, 5, None),  # back, but still low
        (3, 6, 5, Signal.RESTOCKED),
        (0, 6, 5, Signal.RESTOCKED),
        (0, 1, 0, Signal.RESTOCKED),
        (1, 0, 0, Signal.OUT),
        (6, 7, 5, None),
    ],
)
def test_signals_fire_when_a_line_is_crossed(before, after, threshold, expected):
    assert signal(before, after, threshold) == expected


@pytest.mark.parametrize(
    ("reason", "delta", "ok"),
    [
        (LedgerReason.RECEIPT, 10, True),
        (LedgerReason.RECEIPT, -1, False),
        (LedgerReason.RETURN, 1, True),
        (LedgerReason.DAMAGE, -2, True),
        (LedgerReason.DAMAGE, 2, False),
        (LedgerReason.COUNT, -3, True),
        (LedgerReason.COUNT, 3, True),
        (LedgerReason.COUNT, 0, False),
        (LedgerReason.SALE, -1, False),
        (LedgerReason.INITIAL, 5, False),
    ],
)
def test_manual_adjustments(reason, delta, ok):
    assert (check_adjustment(reason, delta) is None) == ok


@pytest.mark.parametrize(
    ("quantity", "outstanding", "expected"),
    [(2, 5, 2), (5, 5, 5), (6, 5, 5), (1, 0, 0), (3, -1, 0)],
)
def test_a_return_puts_back_no_more_than_the_order_has_not_returned(
    quantity, outstanding, expected
):
    assert returnable(quantity, outstanding) == expected
