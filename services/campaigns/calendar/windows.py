"""Rules of campaign windows: operators plan in their own time zone, we keep UTC."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone(name: str) -> ZoneInfo:
    """The IANA time zone `name` (ValueError when there is none of that name)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not an IANA time zone") from None


def to_utc(moment: datetime, time_zone: str) -> datetime:
    """`moment` in UTC; a time without an offset is a wall-clock time in `time_zone`.

    A wall-clock time that the zone skips (spring forward) or shows twice (fall back) is
    refused: "02:30 on the night the clocks change" is not one instant, and guessing would
    start a sale an hour early or late."""
    if moment.tzinfo is not None:
        return moment.astimezone(UTC)
    tz = zone(time_zone)
    early, late = moment.replace(tzinfo=tz, fold=0), moment.replace(tzinfo=tz, fold=1)
    if early.utcoffset() != late.utcoffset():
        raise ValueError(f"{moment.isoformat()} is ambiguous or skipped in {time_zone}")
    return early.astimezone(UTC)


def check_window(starts_at: datetime, ends_at: datetime) -> None:
    """A campaign runs for a while: it must end after it starts (ValueError otherwise)."""
    if ends_at <= starts_at:
        raise ValueError("must be after starts_at")


def overlap(a: tuple[datetime, datetime], b: tuple[datetime, datetime]) -> bool:
    """Two half-open windows [start, end) share an instant."""
    return a[0] < b[1] and b[0] < a[1]
