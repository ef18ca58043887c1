"""The circuit breaker of one upstream: closed → open after consecutive failures →
half-open probe after a pause → closed on success, open again on failure."""

import time
from collections.abc import Callable
from enum import StrEnum


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Pure state machine; the clock is injected so tests need no sleeping.

    In half-open state one request at a time goes through as a probe. A probe that never
    reports back (its client went away) stops blocking after `open_seconds`.
    """

    def __init__(
        self,
        *,
        failures: int,
        open_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        on_change: Callable[[BreakerState], None] | None = None,
    ) -> None:
        self.threshold = failures
        self.open_seconds = open_seconds
        self._clock = clock
        self._on_change = on_change
        self.state = BreakerState.CLOSED
        self.consecutive_failures = 0
        self._opened_at = 0.0
        self._probe_started: float | None = None

    def allow(self) -> bool:
        """Whether a request may go to the upstream now (claims the probe when half-open)."""
        if self.state is BreakerState.CLOSED:
            return True
        now = self._clock()
        if self.state is BreakerState.OPEN:
            if now - self._opened_at < self.open_seconds:
                return False
            self._set(BreakerState.HALF_OPEN)
        if self._probe_started is not None and now - self._probe_started < self.open_seconds:
            return False
        self._probe_started = now
        return True

    def retry_after(self) -> float:
        """Seconds until the breaker lets a request through again, for `Retry-After`."""
        if self.state is BreakerState.CLOSED:
            return 0.0
        since = self._opened_at if self.state is BreakerState.OPEN else self._probe_started or 0
        return max(0.0, self.open_seconds - (self._clock() - since))

    def record_success(self) -> None:
        self.consecutive_failures = 0
        self._probe_started = None
        if self.state is not BreakerState.CLOSED:
            self._set(BreakerState.CLOSED)

    def record_failure(self) -> None:
        self.consecutive_failures += 1
        self._probe_started = None
        if self.state is BreakerState.HALF_OPEN or self.consecutive_failures >= self.threshold:
            self._opened_at = self._clock()
            self._set(BreakerState.OPEN)

    def _set(self, state: BreakerState) -> None:
        self.state = state
        if self._on_change:
            self._on_change(state)
