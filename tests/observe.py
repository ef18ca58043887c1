"""Reading what reached the broker, for tests of events that no running service consumes.

Imported as `observe` (pytest puts `tests/` on the path for its root conftest).
"""

import json

from aiokafka import AIOKafkaConsumer, TopicPartition

from chassis.testing import eventually


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
    """The event of `type_` about `subject`, once the outbox relay has published it."""

    async def published() -> dict | None:
        events = await events_on(bootstrap_servers, topic)
        return next((e for e in events if (e["type"], e["subject"]) == (type_, subject)), None)

    return await eventually(published, within=30)  # generous: workers share 2 cores
