"""The order's state machine: which status may follow which (pure, no I/O).

placed → awaiting_payment → paid → shipped → delivered → completed, and cancelled from
placed or awaiting_payment, or from paid (refunded whole: a group buy that failed). Anything
else is an illegal transition (409); a customer cancels only an unpaid order.
"""

from enum import StrEnum

from chassis.http.problems import Conflict


class OrderStatus(StrEnum):
    PLACED = "placed"
    AWAITING_PAYMENT = "awaiting_payment"
    PAID = "paid"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


NEXT: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PLACED: frozenset({OrderStatus.AWAITING_PAYMENT, OrderStatus.CANCELLED}),
    OrderStatus.AWAITING_PAYMENT: frozenset({OrderStatus.PAID, OrderStatus.CANCELLED}),
    OrderStatus.PAID: frozenset({OrderStatus.SHIPPED, OrderStatus.CANCELLED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.DELIVERED}),
    OrderStatus.DELIVERED: frozenset({OrderStatus.COMPLETED}),
    OrderStatus.COMPLETED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}
FINAL = frozenset(status for status, following in NEXT.items() if not following)
UNPAID = frozenset({OrderStatus.PLACED, OrderStatus.AWAITING_PAYMENT})


class IllegalTransition(Conflict):
    def __init__(self, current: OrderStatus, target: OrderStatus) -> None:
        allowed = ", ".join(sorted(NEXT[current])) or "nothing (it is final)"
        super().__init__(
            f"An order that is {current} cannot become {target}; it may become: {allowed}.",
            current=str(current),
            target=str(target),
        )


def check(current: OrderStatus, target: OrderStatus) -> None:
    """Raise IllegalTransition unless an order that is `current` may become `target`."""
    if target not in NEXT[current]:
        raise IllegalTransition(current, target)


def check_customer_cancel(current: OrderStatus) -> None:
    """A customer cancels an unpaid order; a paid one comes back through after-sales."""
    if current not in UNPAID:
        raise IllegalTransition(current, OrderStatus.CANCELLED)
