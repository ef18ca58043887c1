"""Reading what reached the broker, for tests of events that no running service consumes.

Imported as `observe` (pytest puts `tests/` on the path for its root conftest).
"""

import asyncio
import json

from aiokafka import AIOKafkaConsumer, TopicPartition


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
                events.extend(e for r in records.get(tp, []) if (e := _cloud_event(r.value)))
        return events
    finally:
        await consumer.stop()


async def event_about(
    bootstrap_servers: str, topic: str, type_: str, subject: str, within: float = 30
) -> dict:
    """The event of `type_` about `subject`, once the outbox relay has published it: one
    reader from the start of every partition, following the topic until it shows up."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False)
    await consumer.start()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within  # generous: workers share 2 cores
    try:
        partitions: list[TopicPartition] = []
        while loop.time() < deadline:
            if not partitions:
                await consumer.topics()  # loads the metadata that partitions_for_topic reads
                numbers = consumer.partitions_for_topic(topic) or ()
                partitions = [TopicPartition(topic, p) for p in numbers]
                if partitions:
                    consumer.assign(partitions)
                    await consumer.seek_to_beginning(*partitions)
                continue
            batches = await consumer.getmany(timeout_ms=500)
            for record in (r for records in batches.values() for r in records):
                event = _cloud_event(record.value)
                if event and (event.get("type"), event.get("subject")) == (type_, subject):
                    return event
        raise AssertionError(f"no {type_} about {subject} on {topic} within {within} s")
    finally:
        await consumer.stop()


def _cloud_event(value: bytes) -> dict | None:
    try:
        event = json.loads(value)
    except ValueError:
        return None  # the poison-message tests share the broker
    return event if isinstance(event, dict) else None
