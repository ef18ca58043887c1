"""Publishing another service's event onto the broker, as that service would."""

from aiokafka import AIOKafkaProducer

from chassis.events import EventData, registry
from chassis.events.envelope import CONTENT_TYPE
from chassis.events.outbox import envelope_for


async def publish(bootstrap_servers: str, data: EventData, *, source: str) -> None:
    spec = registry.of(data)
    envelope = envelope_for(data, source=source)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers)
    await producer.start()
    try:
        await producer.send_and_wait(
            spec.topic,
            envelope.to_bytes(),
            key=spec.key_of(data).encode(),
            headers=[("content-type", CONTENT_TYPE.encode())],
        )
    finally:
        await producer.stop()
