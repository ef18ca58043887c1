"""The loops of background work: draining a queue kept in the database, and housekeeping."""

import asyncio
import logging
from collections.abc import Awaitable, Callable

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
    is retried with exponential backoff: an outage delays the work, never ends the loop."""
    backoff = first_backoff
    while True:
        try:
            while await step():
                pass
        except Exception as error:
            log.warning("%s failed; retrying in %.1fs", what, backoff, extra={"error": repr(error)})
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, max_backoff)
            continue
        backoff = first_backoff
        await wait()


async def every(seconds: float, job: Callable[[], Awaitable[object]], *, what: str) -> None:
    """Run `job` now and every `seconds` after; a failure waits for the next turn."""
    while True:
        try:
            await job()
        except Exception as error:
            log.warning("%s failed; next try in %.0fs", what, seconds, extra={"error": repr(error)})
        await asyncio.sleep(seconds)
