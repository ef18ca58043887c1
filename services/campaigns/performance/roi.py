"""Return on a campaign's spend, as operators read it (投入产出比): GMV per unit spent."""


def roi(gmv: int, spend: int) -> float | None:
    """GMV / spend, rounded to two places; None while nothing was spent (no ratio yet)."""
    if spend == 0:
        return None
    return round(gmv / spend, 2)
