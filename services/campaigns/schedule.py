"""Rules of the campaign calendar: when a campaign may run."""

from datetime import datetime


def check_window(starts_at: datetime, ends_at: datetime) -> None:
    """A campaign runs for a while: it must end after it starts (ValueError otherwise)."""
    if ends_at <= starts_at:
        raise ValueError("must be after starts_at")
