"""Observing the running platform from tests: waiting for eventual effects, reading topics.

Imported as `observe` (pytest puts `tests/` on the path for its root conftest).
"""

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

PATIENCE = 15.0  # seconds; generous, since a test only waits this long when it fails


async def eventually(probe: Callable[[], Awaitable[Any]]) -> Any:
    """Call `probe` until it returns something truthy, and return that; fail after PATIENCE
    seconds. Events cross the broker asynchronously, and consumer groups take seconds to join.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + PATIENCE
    while not (outcome := await probe()):
        if loop.time() > deadline:
            raise AssertionError(f"not so within {PATIENCE}s; last outcome: {outcome!r}")
        await asyncio.sleep(0.1)
    return outcome


async def events_on(bootstrap_servers: str, topic: str) -> list[dict]:
    """Every CloudEvent on `topic` so far, read from the start of each partition."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False)
    await consumer.start()
    try:
        await consumer.topics()  # loads the metadata that partitions_for_topic reads
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        events = []
        for tp in partitions:
            while await consumer.position(tp) < ends[tp]:
                records = await consumer.getmany(tp, timeout_ms=1000)
                events.extend(json.loads(r.value) for r in records.get(tp, []))
        return events
    finally:
        await consumer.stop()


async def event_about(bootstrap_servers: str, topic: str, type_: str, subject: str) -> dict:
    """The event of `type_` about `subject`, once the relay has published it."""

    async def probe() -> dict | None:
        events = await events_on(bootstrap_servers, topic)
        return next((e for e in events if (e["type"], e["subject"]) == (type_, subject)), None)

    return await eventually(probe)
