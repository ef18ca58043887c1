"""What a campaign's spend returned (pure: no I/O), as the campaigns service and operators
read it (投入产出比): net GMV per unit spent."""


def roi(net_gmv: int, spend: int) -> float | None:
    """Net GMV / spend, to two places: 1 breaks even, 2 doubles the spend; None while
    nothing was spent (no ratio yet), and for a spend released below zero."""
    if spend <= 0:
        return None
    return round(net_gmv / spend, 2)
