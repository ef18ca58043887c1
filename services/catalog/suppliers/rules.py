"""Restocking rules, without I/O: the reorder point and what to order, a purchase order's
states, and a supplier's scorecard."""

import math
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from chassis.http.problems import Conflict

VELOCITY_DAYS = 30  # sales velocity is measured over the last 30 days


@dataclass(frozen=True)
class Reorder:
    """What a SKU's figures say about ordering it, every figure shown."""

    sold: int  # units sold (confirmed by the order saga) in the last VELOCITY_DAYS
    velocity: Fraction  # units a day
    lead_time_days: int
    safety_stock: int
    reorder_point: int  # velocity x lead time, rounded up, + safety stock
    available: int  # on hand, less what is reserved
    on_order: int  # ordered from suppliers and not yet received
    position: int  # available + on order: what covers the lead time
    quantity: int  # to order now: 0 while the position is above the reorder point


def reorder(
    *,
    sold: int,
    lead_time_days: int,
    safety_stock: int,
    available: int,
    on_order: int,
    cover_days: int,
) -> Reorder:
    """At or below its reorder point (velocity x lead time + safety stock), a SKU is ordered
    up to the reorder point plus `cover_days` of sales; above it, nothing is ordered."""
    velocity = Fraction(sold, VELOCITY_DAYS)
    point = math.ceil(velocity * lead_time_days) + safety_stock
    position = available + on_order
    quantity = 0
    if position <= point:
        quantity = max(point + math.ceil(velocity * cover_days) - position, 0)
    return Reorder(
        sold=sold,
        velocity=velocity,
        lead_time_days=lead_time_days,
        safety_stock=safety_stock,
        reorder_point=point,
        available=available,
        on_order=on_order,
        position=position,
        quantity=quantity,
    )


class OrderState(StrEnum):
    DRAFT = "draft"  # being put together: nothing promised yet
    SENT = "sent"  # with the supplier: expected within its lead time
    PARTIALLY_RECEIVED = "partially_received"  # some of it arrived
    RECEIVED = "received"  # every unit ordered arrived (good or defective)
    CANCELLED = "cancelled"  # before anything arrived


class OrderAction(StrEnum):
    SEND = "send"
    RECEIVE = "receive"
    CANCEL = "cancel"


MOVES: dict[OrderAction, frozenset[OrderState]] = {
    OrderAction.SEND: frozenset({OrderState.DRAFT}),
    OrderAction.RECEIVE: frozenset({OrderState.SENT, OrderState.PARTIALLY_RECEIVED}),
    OrderAction.CANCEL: frozenset({OrderState.DRAFT, OrderState.SENT}),
}


class IllegalTransition(Conflict):
    slug = "illegal-transition"


def leaves(current: OrderState, action: OrderAction) -> frozenset[OrderState]:
    """The states `action` may be taken from; a 409 from any other."""
    allowed = MOVES[action]
    if current not in allowed:
        names = " or ".join(sorted(allowed))
        raise IllegalTransition(f"A purchase order that is {current} cannot {action} ({names}).")
    return allowed


def after_receipt(outstanding: int) -> OrderState:
    """The state a receipt leaves an order in, given the units still to come."""
    return OrderState.RECEIVED if outstanding == 0 else OrderState.PARTIALLY_RECEIVED


@dataclass(frozen=True)
class Scorecard:
    receipts: int
    on_time: int  # receipts that arrived by the expected date (sent + lead time)
    units: int  # units that arrived, good and defective
    defective: int

    @property
    def on_time_rate(self) -> float | None:
        return round(self.on_time / self.receipts, 4) if self.receipts else None

    @property
    def defect_rate(self) -> float | None:
        return round(self.defective / self.units, 4) if self.units else None
