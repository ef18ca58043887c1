"""Pure rules of prizes: their kinds, and how a won prize's fulfilment moves."""

from enum import StrEnum


class PrizeKind(StrEnum):
    COUPON = "coupon"  # a coupon of a template, through the coupons' claim
    POINTS = "points"  # points, credited by users from `draw.made`
    ITEM = "item"  # a physical item, shipped by operators (fulfilment status)


class Fulfilment(StrEnum):
    NONE = "none"  # no prize
    ISSUED = "issued"  # the coupon is the winner's
    FAILED = "failed"  # the coupon could not be issued (`fulfilment_note` says why)
    AWARDED = "awarded"  # points announced to users in `draw.made`
    PENDING = "pending"  # an item waits to be shipped
    SHIPPED = "shipped"
    DELIVERED = "delivered"


# Where each kind's fulfilment starts, and the moves operators make from there.
FIRST = {PrizeKind.COUPON: Fulfilment.ISSUED, PrizeKind.POINTS: Fulfilment.AWARDED}
FIRST[PrizeKind.ITEM] = Fulfilment.PENDING
MOVES = {Fulfilment.PENDING: Fulfilment.SHIPPED, Fulfilment.SHIPPED: Fulfilment.DELIVERED}


def can_move(current: Fulfilment, to: Fulfilment) -> bool:
    """Whether an operator may move a won prize's fulfilment from `current` to `to`: an
    item goes pending → shipped → delivered, one step at a time; nothing else moves."""
    return MOVES.get(current) == to
