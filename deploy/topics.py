"""`python -m deploy.topics`: create every topic of the contracts, and its dead-letter topic.

Run once before the services (compose does, as `kafka-topics`); on Kubernetes the Strimzi
`KafkaTopic` resources of deploy/k8s do the same. Partitions and replication come from
`KAFKA_TOPIC_PARTITIONS` (6) and `KAFKA_TOPIC_REPLICATION` (1 here; 3 on a real cluster);
events are kept 7 days, dead letters 30 (long enough to fix the cause and replay them).
"""

import asyncio
import os

from chassis.events import kafka
from contracts import load_contracts

DAY_MS = 86_400_000


def topic_configs(name: str) -> dict[str, str]:
    days = 30 if name.endswith(".dlq") else 7
    replication = int(os.environ.get("KAFKA_TOPIC_REPLICATION", "1"))
    return {
        "retention.ms": str(days * DAY_MS),
        "min.insync.replicas": str(min(2, replication)),
    }


async def main() -> None:
    topics = load_contracts().topics()
    await kafka.ensure_topics(
        os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
        topics,
        partitions=int(os.environ.get("KAFKA_TOPIC_PARTITIONS", "6")),
        replication=int(os.environ.get("KAFKA_TOPIC_REPLICATION", "1")),
        configs=topic_configs,
    )
    print(f"{len(topics)} topics and their dead-letter topics are there")


if __name__ == "__main__":
    asyncio.run(main())
