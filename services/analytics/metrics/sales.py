"""Sales figures from counted orders (pure: no I/O)."""


def average_order_value(gmv: int, orders: int) -> int | None:
    """GMV per order in minor units, rounded half up; None without orders."""
    if orders == 0:
        return None
    return (2 * gmv + orders) // (2 * orders)
