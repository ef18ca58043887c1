import asyncio
import socket

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaTimeoutError, RequestTimedOutError

from chassis.broker import BrokerError, TansuBroker, free_port

TOPIC = "flywheel.test.broker"


def _accepts_connections(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def broker(tmp_path):
    with TansuBroker(log_path=tmp_path / "broker.log") as broker:
        yield broker


def _producer(broker: TansuBroker, **options) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        bootstrap_servers=broker.bootstrap_servers, acks="all", enable_idempotence=False, **options
    )


async def test_produce_then_consume(broker):
    producer = _producer(broker)
    await producer.start()
    try:
        sent = await producer.send_and_wait(TOPIC, b"hello", key=b"k1")
    finally:
        await producer.stop()

    consumer = AIOKafkaConsumer(bootstrap_servers=broker.bootstrap_servers)
    await consumer.start()
    try:
        consumer.assign([TopicPartition(TOPIC, sent.partition)])
        await consumer.seek_to_beginning()
        message = await asyncio.wait_for(consumer.getone(), timeout=10)
    finally:
        await consumer.stop()
    assert (message.key, message.value) == (b"k1", b"hello")


async def test_pause_holds_requests_and_resume_releases_them(broker):
    producer = _producer(broker, request_timeout_ms=1000)
    await producer.start()
    try:
        await producer.send_and_wait(TOPIC, b"before")  # topic and metadata exist now
        broker.pause()
        with pytest.raises((KafkaTimeoutError, RequestTimedOutError, TimeoutError)):
            await asyncio.wait_for(producer.send_and_wait(TOPIC, b"during"), timeout=3)
        broker.resume()
        await asyncio.wait_for(producer.send_and_wait(TOPIC, b"after"), timeout=10)
    finally:
        broker.resume()
        await producer.stop()


def test_stop_frees_the_port_and_restart_reuses_it(tmp_path):
    broker = TansuBroker(log_path=tmp_path / "broker.log")
    broker.start()
    assert _accepts_connections(broker.port)
    broker.restart()
    assert _accepts_connections(broker.port)
    broker.stop()
    assert not _accepts_connections(broker.port)
    broker.stop()  # idempotent


def test_start_fails_clearly_when_the_port_is_taken():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", free_port()))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(BrokerError, match=f"port {port} is already in use"):
            TansuBroker(port).start()
