"""Kafka clients configured the Flywheel way, and topic creation from the registry."""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

log = logging.getLogger(__name__)


def producer(bootstrap_servers: str, *, request_timeout_ms: int = 10_000) -> AIOKafkaProducer:
    # acks=all without idempotence: the development broker rejects InitProducerId,
    # and the outbox plus the consumers' inbox give effectively-once delivery anyway.
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        acks="all",
        enable_idempotence=False,
        linger_ms=2,
        request_timeout_ms=request_timeout_ms,
        retry_backoff_ms=200,
    )


async def ensure_topics(
    bootstrap_servers: str,
    topics: list[str],
    *,
    partitions: int,
    replication: int = 1,
    configs: Callable[[str], dict[str, str]] | None = None,
) -> None:
    """Create the topics that do not exist yet (each with its dead-letter topic), with the
    topic configs `configs(name)` gives (retention, min.insync.replicas...), if any."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=5_000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [t for topic in topics for t in (topic, f"{topic}.dlq") if t not in existing]
        if not wanted:
            return
        new = [
            NewTopic(
                t,
                num_partitions=partitions,
                replication_factor=replication,
                topic_configs=configs(t) if configs else {},
            )
            for t in wanted
        ]
        with contextlib.suppress(TopicAlreadyExistsError):
            await admin.create_topics(new)
        log.info("created topics", extra={"topics": wanted})
    finally:
        await admin.close()


async def reachable(client: AIOKafkaProducer, within: float = 2.0) -> bool:
    """Whether the broker answers a metadata request within `within` seconds."""
    try:
        await asyncio.wait_for(client.client.fetch_all_metadata(), within)
    except Exception:
        return False
    return True


class ClusterWatch:
    """Notices when the broker at the bootstrap address has become a different cluster.

    Apache Kafka keeps its cluster id for life; a new id means a new, empty cluster (the
    development broker keeps its log in memory, and each start gets a new id), in which
    committed offsets are gone: consumers must then start over from the earliest offset.
    """

    def __init__(
        self, bootstrap_servers: str, on_replaced: Callable[[], Awaitable[None]], every: float = 2.0
    ) -> None:
        self.bootstrap_servers = bootstrap_servers
        self.on_replaced = on_replaced
        self.every = every

    async def run(self) -> None:
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap_servers)
        known: str | None = None
        try:
            await admin.start()
            while True:
                with contextlib.suppress(Exception):  # broker away: ask again later
                    current = (await asyncio.wait_for(admin.describe_cluster(), 3.0))["cluster_id"]
                    if known is not None and current != known:
                        log.warning("broker cluster changed (%s -> %s)", known, current)
                        await self.on_replaced()
                    known = current
                await asyncio.sleep(self.every)
        finally:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(admin.close(), 5.0)
