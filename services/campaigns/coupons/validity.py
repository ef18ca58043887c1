"""When a claimed coupon may be used: its template's fixed dates, or N days from the claim."""

from datetime import datetime, timedelta


def window(
    claimed_at: datetime,
    valid_from: datetime | None,
    valid_until: datetime | None,
    valid_days: int | None,
) -> tuple[datetime, datetime]:
    """[from, until) of a coupon claimed at `claimed_at`."""
    if valid_days is not None:
        return claimed_at, claimed_at + timedelta(days=valid_days)
    return valid_from, valid_until  # a template has one or the other (its schema says so)
