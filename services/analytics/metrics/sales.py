"""Sales figures from counted orders (pure: no I/O)."""


def average_order_value(gmv: int, orders: int) -> int | None:
    """GMV per order in minor units, rounded half up; None without orders."""
    if orders == 0:
        return None
    return (2 * gmv + orders) // (2 * orders)


def refund_rate(refunded: int, gmv: int) -> float | None:
    """Refunds completed in a period as a share of its GMV; None without GMV."""
    return round(refunded / gmv, 6) if gmv else None
