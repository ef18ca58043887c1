"""The loops of background work: draining a queue kept in the database, and housekeeping."""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

import stamina
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from chassis.db import Database

log = logging.getLogger(__name__)

HOURLY = 3600.0
# Full batches in a row one job may run in a turn of `run_batches`: a backlog (after a long
# outage) drains over turns without starving the jobs after it.
MAX_ROUNDS = 20

Job = tuple[str, Callable[[], Awaitable[int]], int]  # what it does, one batch, the batch size


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


async def run_batches(jobs: Sequence[Job]) -> None:
    """One turn of a scheduler: each job runs while its batches come back full (there may be
    more due), at most MAX_ROUNDS times; a job that fails is logged and leaves the others
    their turn."""
    for what, job, batch in jobs:
        try:
            for _ in range(MAX_ROUNDS):
                if await job() < batch:
                    break
        except Exception as error:
            log.warning("%s failed; next try next turn", what, extra={"error": repr(error)})


async def fire_due(
    db: Database,
    key: InstrumentedAttribute,
    due: InstrumentedAttribute,
    at: datetime,
    batch: int,
    apply: Callable[[AsyncSession, Any], Awaitable[object]],
) -> int:
    """Apply `apply(session, key)` to the rows whose `due` moment has come by `at`, earliest
    first, at most `batch` of them in one transaction; rows another replica holds are skipped
    (FOR UPDATE SKIP LOCKED), so replicas share the work without waiting on each other.
    `apply` moves or deletes each row's timer. Returns how many were applied."""
    async with db.session() as session, session.begin():
        keys = (
            await session.scalars(
                select(key)
                .where(due <= at)
                .order_by(due)
                .limit(batch)
                .with_for_update(skip_locked=True)
            )
        ).all()
        for each in keys:
            await apply(session, each)
    return len(keys)
