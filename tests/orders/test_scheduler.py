"""The scheduler's turn: a job runs again while its batches come back full, at most
MAX_ROUNDS times, and a failing job leaves the others their turn."""

import pytest

from services.orders.scheduler import MAX_ROUNDS, sweep

pytestmark = pytest.mark.asyncio


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
    await sweep(
        [
            ("failing", failing, 10),
            ("draining", draining, 10),
            ("endless", endless, 10),
            ("after", after, 10),
        ]
    )
    assert (len(failed), len(drained), len(endlessly), len(later)) == (1, 3, MAX_ROUNDS, 1)
