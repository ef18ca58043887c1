"""The loops of background work: draining a queue kept in the database, and housekeeping."""

import asyncio
import logging
from collections.abc import Awaitable, Callable

import stamina

log = logging.getLogger(__name__)

HOURLY = 3600.0


async def drain(
    step: Callable[[], Awaitable[object]],
    wait: Callable[[], Awaitable[object]],
    *,
    what: str,
    first_backoff: float = 0.1,
    max_backoff: float = 5.0,
) -> None:
    """Run `step` while it reports more work, then `wait` for more, forever. A failing step
    is retried with exponential backoff and jitter (stamina, ADR 0020), without end: an
    outage delays the work, never ends the loop. The backoff starts over after a success."""
    while True:
        async for attempt in stamina.retry_context(
            on=Exception,
            attempts=None,
            timeout=None,
            wait_initial=first_backoff,
            wait_max=max_backoff,
            wait_jitter=first_backoff,
        ):
            with attempt:
                try:
                    while await step():
                        pass
                except Exception as error:
                    # The line on-call greps for (docs/architecture.md, runbook).
                    log.warning("%s failed; retrying", what, extra={"error": repr(error)})
                    raise
        await wait()


async def every(seconds: float, job: Callable[[], Awaitable[object]], *, what: str) -> None:
    """Run `job` now and every `seconds` after; a failure waits for the next turn."""
    while True:
        try:
            await job()
        except Exception as error:
            log.warning("%s failed; next try in %.0fs", what, seconds, extra={"error": repr(error)})
        await asyncio.sleep(seconds)
