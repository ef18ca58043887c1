"""The arithmetic of points: what an order earns, what a refund takes back. No I/O."""


def earned(paid: int, points_per_unit: int, multiplier_percent: int = 100) -> int:
    """Points for `paid` minor units: `points_per_unit` for each whole currency unit (100
    minor units), times the member's tier multiplier (percent), rounded down once at the
    end, so no fraction of a point is ever given."""
    return paid // 100 * points_per_unit * multiplier_percent // 100


def reversal(points: int, basis: int, refunded: int, already: int) -> int:
    """Points to take back for a refund of `refunded` out of `basis` paid, when `already`
    were taken back by earlier refunds: the refund's share rounded up (so refunding the
    whole order in parts takes back all of it), never more than is left."""
    if basis <= 0 or points <= 0:
        return 0
    share = -(-points * min(refunded, basis) // basis)  # ceiling, in integers
    return max(0, min(share, points - already))
