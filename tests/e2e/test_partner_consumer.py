"""A partner reads our events with librdkafka, the client behind most non-Python stacks."""

import asyncio
import json
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, Message, TopicPartition
from stack import ADMIN

from chassis.events.envelope import CONTENT_TYPE, CloudEvent
from contracts import load_contracts

CREATED = "flywheel.catalog.product.created.v1"


def read_until(bootstrap: str, topic: str, subject: str, within: float) -> Message | None:
    """Read every partition of `topic` from the beginning (assigned directly, as a partner
    that keeps its own offsets would) until a message about `subject` shows up."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "partner-probe"})
    try:
        partitions = consumer.list_topics(topic, timeout=5).topics[topic].partitions
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in partitions])
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is None or message.error():
                continue
            try:
                event = json.loads(message.value())
            except ValueError:
                continue  # not ours: the poison-message tests share this broker
            if event.get("subject") == subject:
                return message
        return None
    finally:
        consumer.close()


async def test_a_partner_reads_a_product_event_with_librdkafka(platform, broker):
    token = await platform.token(ADMIN["email"], ADMIN["password"])
    async with platform.client("catalog", token) as catalog:
        created = await catalog.post("/api/v1/catalog/products", json={"name": "Oolong"})
    product_id = created.json()["id"]
    topic = load_contracts().get(CREATED).topic

    message = await asyncio.to_thread(
        read_until, broker.bootstrap_servers, topic, product_id, within=20
    )

    assert message is not None, f"no event about {product_id} on {topic}"
    assert message.key() == product_id.encode()  # the aggregate id: its events stay in order
    assert dict(message.headers())["content-type"] == CONTENT_TYPE.encode()
    envelope = CloudEvent.model_validate_json(message.value())
    assert envelope.type == CREATED
    assert envelope.source == "/flywheel/catalog"
    assert envelope.data["product_id"] == product_id
    assert envelope.data["name"] == "Oolong"
