"""The background loops: a failing step is retried with backoff, never ends the loop; a
scheduler's turn runs a job again while its batches come back full, at most MAX_ROUNDS times,
and a failing job leaves the others their turn."""

import asyncio

from chassis.background import MAX_ROUNDS, drain, every, run_batches


async def test_drain_retries_a_failing_step_then_works_off_the_queue_and_waits():
    queue, failures, waits = [1, 2, 3], [RuntimeError("db down")] * 2, asyncio.Event()

    async def step() -> bool:
        if failures:
            raise failures.pop()
        if queue:
            queue.pop()
        return bool(queue)

    async def wait() -> None:
        waits.set()
        await asyncio.sleep(3600)

    task = asyncio.create_task(drain(step, wait, what="test", first_backoff=0.01))
    try:
        await asyncio.wait_for(waits.wait(), 2)
    finally:
        task.cancel()
    assert queue == []
    assert failures == []


async def test_every_keeps_its_rhythm_through_failures():
    calls = 0

    async def job() -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("first run fails")

    task = asyncio.create_task(every(0.01, job, what="test"))
    await asyncio.sleep(0.1)
    task.cancel()
    assert calls >= 3


def _job(*results):
    calls = []

    async def job() -> int:
        calls.append(1)
        result = results[min(len(calls), len(results)) - 1]
        if isinstance(result, Exception):
            raise result
        return result

    return job, calls


async def test_full_batches_run_again_failures_and_backlogs_do_not_starve_the_rest():
    failing, failed = _job(RuntimeError("database away"))
    draining, drained = _job(10, 10, 3)
    endless, endlessly = _job(10)
    after, later = _job(0)
    await run_batches(
        [
            ("failing", failing, 10),
            ("draining", draining, 10),
            ("endless", endless, 10),
            ("after", after, 10),
        ]
    )
    assert (len(failed), len(drained), len(endlessly), len(later)) == (1, 3, MAX_ROUNDS, 1)
