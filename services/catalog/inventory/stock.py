"""Stock rules, without I/O: the lines of a reservation, what an adjustment may do, and which
signal (low, out, restocked) a change of available stock sends."""

from collections import defaultdict
from collections.abc import Iterable
from enum import StrEnum
from uuid import UUID

from services.catalog.inventory.models import LedgerReason


class Signal(StrEnum):
    LOW = "low"
    OUT = "out"
    RESTOCKED = "restocked"


def merge_lines(lines: Iterable[tuple[UUID, int]]) -> dict[UUID, int]:
    """Quantities per SKU (an order may name a SKU twice), in SKU id order: every
    transaction takes its row locks in the same order, so two of them never deadlock."""
    wanted: dict[UUID, int] = defaultdict(int)
    for sku_id, quantity in lines:
        if quantity <= 0:
            raise ValueError(f"quantity {quantity} of {sku_id} is not positive")
        wanted[sku_id] += quantity
    return dict(sorted(wanted.items()))


def signal(before: int, after: int, threshold: int) -> Signal | None:
    """What crossing from `before` to `after` units available means for a SKU whose
    low-stock threshold is `threshold`: each signal once, when the line is crossed."""
    if after <= 0 < before:
        return Signal.OUT
    if 0 < after <= threshold < before:
        return Signal.LOW
    if before <= threshold < after:
        return Signal.RESTOCKED
    return None


def returnable(quantity: int, outstanding: int) -> int:
    """Units of a return that go back on hand: what the refund names, but no more than the
    order bought and has not returned yet (a refund naming more restocks nothing extra)."""
    return max(0, min(quantity, outstanding))


# Which way each reason of a manual adjustment may move on-hand (sales are not manual).
DIRECTIONS: dict[LedgerReason, frozenset[int]] = {
    LedgerReason.RECEIPT: frozenset({1}),
    LedgerReason.RETURN: frozenset({1}),
    LedgerReason.DAMAGE: frozenset({-1}),
    LedgerReason.COUNT: frozenset({1, -1}),
}


def check_adjustment(reason: LedgerReason, delta: int) -> str | None:
    """Why `delta` with `reason` is not a valid manual adjustment (None if it is)."""
    if delta == 0:
        return "an adjustment changes stock: give a non-zero delta"
    allowed = DIRECTIONS.get(reason)
    if allowed is None:
        return f"{reason} is recorded by the system, not by hand"
    if (1 if delta > 0 else -1) not in allowed:
        return f"a {reason} {'adds' if -1 not in allowed else 'removes'} stock"
    return None
