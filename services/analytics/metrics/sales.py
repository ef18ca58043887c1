"""Sales figures from counted orders (pure: no I/O)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Totals:
    """Sales over one window, in one currency (minor units)."""

    gmv: int
    orders: int
    paying_users: int
    refunded: int


def average_order_value(gmv: int, orders: int) -> int | None:
    """GMV per order in minor units, rounded half up; None without orders."""
    if orders == 0:
        return None
    return (2 * gmv + orders) // (2 * orders)


def refund_rate(refunded: int, gmv: int) -> float | None:
    """Refunds completed in a period as a share of its GMV; None without GMV."""
    return share(refunded, gmv)


def share(part: int, whole: int) -> float | None:
    """`part` of `whole`, to six places; None when the whole is nothing."""
    return round(part / whole, 6) if whole else None
