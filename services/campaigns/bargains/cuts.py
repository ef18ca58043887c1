"""Pure rules of bargains: how much one help cuts, and a bargain's states.

A bargain starts at the start price and must reach the floor exactly on its last help. So
each help cuts at least one minor unit and leaves at least one for every help still to come,
and the last help cuts whatever is left. Within those bounds the cut is drawn around twice
the fair share ("double mean": uniform in [1, 2 * left / helps_left]), so early helpers see
generous cuts as often as late ones and the amounts vary the way customers expect."""

from enum import StrEnum
from random import Random


class BargainStatus(StrEnum):
    OPEN = "open"  # collecting helps until expires_at
    REACHED = "reached"  # at the floor: the starter may order at it until order_until
    ORDERED = "ordered"  # the starter placed an order at the floor price
    EXPIRED = "expired"  # the helps did not come in time
    LAPSED = "lapsed"  # at the floor, but not ordered in time


def cut(left: int, helps_left: int, rng: Random) -> int:
    """What this help cuts from a price `left` minor units above the floor, with
    `helps_left` helps to go (this one included). Needs `left >= helps_left >= 1`."""
    if helps_left < 1 or left < helps_left:
        raise ValueError(f"cannot cut {left} over {helps_left} helps, at least 1 each")
    if helps_left == 1:  # pragma: no mutate (`<= 1` is the same: below 1 was refused)
        return left
    most = left - (helps_left - 1)  # leaves one unit for each help still to come
    share = 2 * left // helps_left  # at least 2: left >= helps_left here
    return rng.randint(1, min(share, most))
