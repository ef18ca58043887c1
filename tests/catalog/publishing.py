"""Publishing CloudEvents onto the test broker as another service's relay does (imported as
`publishing` by the catalog's tests of the events it consumes)."""

from aiokafka import AIOKafkaProducer

from chassis.events.envelope import CloudEvent
from chassis.events.registry import registry


async def publish(platform, *envelopes: CloudEvent) -> None:
    """Each envelope on its type's topic, keyed by its subject (the aggregate), in order; the
    same envelope twice is a redelivery."""
    producer = AIOKafkaProducer(bootstrap_servers=platform.broker.bootstrap_servers)
    await producer.start()
    try:
        for envelope in envelopes:
            await producer.send_and_wait(
                registry.get(envelope.type).topic,
                envelope.to_bytes(),
                key=envelope.subject.encode(),
            )
    finally:
        await producer.stop()
