"""The after-sales request's state machine and who may ask (pure, no I/O).

refund only (仅退款):        requested → approved → refunded
return and refund (退货退款): requested → approved → received → refunded
and, from requested, rejected (by an operator) or withdrawn (by the customer), for both.
Anything else is an illegal transition (409).

A customer may ask while the order is paid or shipped (a refund only before anything
arrived, or a return refused at the door), and once delivered until the return window
closes; a return needs goods that left the warehouse.
"""

from datetime import datetime, timedelta
from enum import StrEnum

from chassis.http.problems import Conflict
from contracts.orders import AfterSaleKind
from services.orders.checkout.lifecycle import OrderStatus


class AfterSaleStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    RECEIVED = "received"  # the returned goods are back in the warehouse
    REFUNDED = "refunded"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"  # the customer took the request back before it was decided


S, K = AfterSaleStatus, AfterSaleKind
NEXT: dict[AfterSaleKind, dict[AfterSaleStatus, frozenset[AfterSaleStatus]]] = {
    K.REFUND_ONLY: {
        S.REQUESTED: frozenset({S.APPROVED, S.REJECTED, S.WITHDRAWN}),
        S.APPROVED: frozenset({S.REFUNDED}),
        S.RECEIVED: frozenset(),  # never reached: nothing comes back
        S.REFUNDED: frozenset(),
        S.REJECTED: frozenset(),
        S.WITHDRAWN: frozenset(),
    },
    K.RETURN_AND_REFUND: {
        S.REQUESTED: frozenset({S.APPROVED, S.REJECTED, S.WITHDRAWN}),
        S.APPROVED: frozenset({S.RECEIVED}),
        S.RECEIVED: frozenset({S.REFUNDED}),
        S.REFUNDED: frozenset(),
        S.REJECTED: frozenset(),
        S.WITHDRAWN: frozenset(),
    },
}
OPEN = frozenset({S.REQUESTED, S.APPROVED, S.RECEIVED})  # the order waits for these


class IllegalTransition(Conflict):
    def __init__(self, kind: AfterSaleKind, current: AfterSaleStatus, target: AfterSaleStatus):
        allowed = ", ".join(sorted(NEXT[kind][current])) or "nothing (it is final)"
        super().__init__(
            f"A {kind} request that is {current} cannot become {target}; it may become: {allowed}.",
            current=str(current),
            target=str(target),
        )


def check(kind: AfterSaleKind, current: AfterSaleStatus, target: AfterSaleStatus) -> None:
    """Raise IllegalTransition unless a `kind` request that is `current` may become `target`."""
    if target not in NEXT[kind][current]:
        raise IllegalTransition(kind, current, target)


class NotRequestable(Conflict):
    slug = "not-requestable"


ASKABLE = {
    K.REFUND_ONLY: frozenset({OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED}),
    K.RETURN_AND_REFUND: frozenset({OrderStatus.SHIPPED, OrderStatus.DELIVERED}),
}


def check_requestable(
    kind: AfterSaleKind,
    order_status: OrderStatus,
    delivered_at: datetime | None,
    at: datetime,
    return_window: timedelta,
) -> None:
    """Raise NotRequestable (409) unless a customer may ask for `kind` on an order that is
    `order_status` (delivered at `delivered_at`) at `at`."""
    if order_status not in ASKABLE[kind]:
        allowed = ", ".join(sorted(ASKABLE[kind]))
        raise NotRequestable(
            f"A {kind} request needs an order that is {allowed}; this one is {order_status}.",
            order_status=str(order_status),
        )
    # Only a paid, shipped or delivered order gets here: `is` for `!=`, or an ordering of
    # these three names, answers the same (equivalent mutants).
    if order_status != OrderStatus.DELIVERED:  # pragma: no mutate
        return
    closed = delivered_at + return_window
    if at >= closed:
        raise NotRequestable(f"The return window closed at {closed.isoformat()}.")
