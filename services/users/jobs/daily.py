"""When a daily job is due: once a day at a time of day (UTC). No I/O."""

from datetime import datetime, time, timedelta


def last_slot(now: datetime, at: time) -> datetime:
    """The latest moment at or before `now` that falls at `at` (UTC) on some day."""
    today = datetime.combine(now.date(), at, tzinfo=now.tzinfo)
    return today if today <= now else today - timedelta(days=1)


def due(last_run: datetime | None, now: datetime, at: time) -> bool:
    """Whether a job run last at `last_run` (None: never) is due at `now`: the last slot has
    passed since it ran."""
    return last_run is None or last_run < last_slot(now, at)
