"""The background loops: a failing step is retried with backoff, never ends the loop."""

import asyncio

from chassis.background import drain, every


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
