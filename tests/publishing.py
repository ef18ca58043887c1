"""Events onto the test broker as another service's relay publishes them (imported as
`publishing` by the tests of the events a service consumes)."""

from aiokafka import AIOKafkaProducer

from chassis.events import CloudEvent, EventData, registry
from chassis.events.envelope import CONTENT_TYPE
from chassis.events.outbox import envelope_for


async def publish(platform, *envelopes: CloudEvent) -> None:
    """Each envelope on its type's topic, keyed by its subject (the aggregate), with the
    relay's content type, in order; the same envelope twice is a redelivery."""
    producer = AIOKafkaProducer(bootstrap_servers=platform.broker.bootstrap_servers)
    await producer.start()
    try:
        for envelope in envelopes:
            await producer.send_and_wait(
                registry.get(envelope.type).topic,
                envelope.to_bytes(),
                key=envelope.subject.encode(),
                headers=[("content-type", CONTENT_TYPE.encode())],
            )
    finally:
        await producer.stop()


async def publish_as(platform, source: str, *events: EventData) -> None:
    """Each event in an envelope of its own from `source` (e.g. "/flywheel/orders"), as that
    service's outbox wraps it, then published as its relay does."""
    await publish(platform, *(envelope_for(data, source=source) for data in events))
