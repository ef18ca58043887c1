"""The service's scheduler: lifecycle, RFM, segment, tag and birthday timers fire on their due
time, tier reviews on their date, and the daily jobs (RFM quintiles, the lifecycle and segment
sweeps) once a day across replicas.
Timers and reviews are taken SKIP LOCKED, so replicas share the work."""

import asyncio

from chassis.background import Job, every, run_batches
from chassis.http.service import Runtime
from services.users.birthdays import service as birthdays
from services.users.jobs import service as jobs
from services.users.lifecycle import service as lifecycle
from services.users.membership import service as membership
from services.users.rfm import service as rfm
from services.users.segments import service as segments
from services.users.settings import Settings
from services.users.tags import service as tags


async def run_schedule(runtime: Runtime) -> None:
    """Run as long as the service does (a background hook of build_service); the first turn
    comes one interval after start, not during it."""
    settings: Settings = runtime.settings
    db = runtime.db

    timers: list[Job] = [
        ("lifecycle timers", lambda: lifecycle.fire_due(db), lifecycle.TIMER_BATCH),
        ("rfm timers", lambda: rfm.fire_due(db), rfm.TIMER_BATCH),
        ("segment timers", lambda: segments.fire_due(db), segments.TIMER_BATCH),
        (
            "tag timers",
            lambda: tags.fire_due(db, settings.tag_evidence_window),
            tags.TIMER_BATCH,
        ),
        ("birthday timers", lambda: birthdays.fire_due(db), birthdays.TIMER_BATCH),
        (
            "tier reviews",
            lambda: membership.review_due(db, settings.tier_review_period),
            membership.REVIEW_BATCH,
        ),
    ]

    async def turn() -> None:
        await run_batches(timers)
        if await jobs.claim(db, "rfm_recompute", settings.rfm_recompute_at):
            await rfm.nightly(db)
        if await jobs.claim(db, "lifecycle_sweep", settings.lifecycle_sweep_at):
            await lifecycle.sweep(db)
        if await jobs.claim(db, "segment_sweep", settings.lifecycle_sweep_at):
            await segments.sweep(db)

    await asyncio.sleep(settings.schedule_seconds)
    await every(settings.schedule_seconds, turn, what="users schedule")
