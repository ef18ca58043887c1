"""The lockout rule: how many failed logins lock an email, for how long. No I/O."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from chassis.http.problems import Problem


@dataclass(frozen=True)
class LockoutPolicy:
    max_failures: int  # failures within `window` that lock the email
    window: timedelta  # failures older than this are forgotten
    duration: timedelta  # how long a lock lasts


class AccountLocked(Problem):
    """Too many failed logins for an email: refused until `unlock_at`, even with the right
    password (a guesser must not learn that a guess was right)."""

    status, slug = 423, "account-locked"

    def __init__(self, unlock_at: datetime, now: datetime) -> None:
        wait = max(1, int((unlock_at - now).total_seconds() + 0.999))
        super().__init__(
            f"Too many failed logins; try again after {unlock_at.isoformat()}.",
            headers={"Retry-After": str(wait)},
            unlock_at=unlock_at.isoformat(),
        )
