"""What a refund may be worth (pure): the share of a line's payment some units are, and no
more than remains of it; whether the shipping fee goes back with it. The order's stored
breakdown is the measure: never above `paid`."""

from contracts.orders import AfterSaleKind


def shipping_back(kind: AfterSaleKind | None, left_of_lines: int) -> bool:
    """Whether a refund gives the order's shipping fee back too: the refund that leaves
    nothing of the order's lines unrefunded (`left_of_lines`: what remains of their payments
    after it) does, unless it settles a return and refund (退货退款: the carriage was done and
    the goods went back at the customer's cost, as the seven-day returns rule has it) —
    whether it is an operator's refund, a refund only (仅退款), or a cancelled order's."""
    return left_of_lines == 0 and kind != AfterSaleKind.RETURN_AND_REFUND


def units_share(paid: int, quantity: int, units_before: int, units: int) -> int:
    """What `units` of a line of `quantity` units paid `paid` in all are worth, when
    `units_before` were asked back already: the line's payment split in integers so that
    the shares of all its units add up to `paid` exactly (the last unit takes the rounding)."""
    if not 0 < units <= quantity - units_before:
        raise ValueError(f"{units} units of a line of {quantity} with {units_before} asked back")
    return paid * (units_before + units) // quantity - paid * units_before // quantity


def worth(paid: int, quantity: int, units_before: int, refunded_before: int, units: int) -> int:
    """The refund `units` of the line are worth: their share, but no more than what remains
    of the line's payment after `refunded_before` (an operator's refund of part of it)."""
    return min(units_share(paid, quantity, units_before, units), paid - refunded_before)
