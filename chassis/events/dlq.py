"""Dead letters: reading a topic's `<topic>.dlq`, and replaying them onto the topic once the
cause is fixed (`python -m deploy.dlq`).

A replay publishes the original message again (its key, its value, its own headers) on the
topic it came from: the group that failed on it applies it now, and every group that had
applied it already skips it by its inbox, so a replay, or a replay run twice, has no
second effect. Only `handler-failed` letters are replayed unless asked otherwise: the other
reasons (`poison`, `schema-invalid`, ...) are bad messages that no fix of ours makes good.
"""

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

HANDLER_FAILED = "handler-failed"
REPLAYED_FROM = "dlq-replayed-from"


@dataclass(frozen=True)
class DeadLetter:
    dlq: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...]

    def header(self, name: str) -> str:
        return next((v.decode(errors="replace") for k, v in self.headers if k == name), "")

    @property
    def reason(self) -> str:
        return self.header("dlq-reason")

    @property
    def group(self) -> str:
        return self.header("dlq-consumer-group")

    @property
    def topic(self) -> str:
        """The topic it was consumed from: where a replay sends it."""
        return self.header("dlq-topic") or self.dlq.removesuffix(".dlq")

    @property
    def where(self) -> str:
        return f"{self.dlq}:{self.partition}:{self.offset}"

    def summary(self) -> dict[str, Any]:
        """What an on-call engineer reads first: where, why, and which event."""
        try:
            event = json.loads(self.value)
        except ValueError:
            event = {}
        if not isinstance(event, dict):
            event = {}
        return {
            "at": self.where,
            "reason": self.reason,
            "group": self.group,
            "error": self.header("dlq-error")[:300],
            "event": {k: event.get(k) for k in ("id", "type", "subject", "time")},
        }


async def read(bootstrap_servers: str, topic: str) -> list[DeadLetter]:
    """Every dead letter of `topic` up to the end as of now, oldest first per partition."""
    dlq = f"{topic}.dlq"
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False)
    await consumer.start()
    try:
        await consumer.topics()  # loads the metadata that partitions_for_topic reads
        partitions = [TopicPartition(dlq, p) for p in consumer.partitions_for_topic(dlq) or ()]
        if not partitions:
            return []
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        letters = []
        for tp in partitions:
            while await consumer.position(tp) < ends[tp]:
                batch = await consumer.getmany(tp, timeout_ms=1000)
                letters += [
                    DeadLetter(dlq, r.partition, r.offset, r.key, r.value, tuple(r.headers))
                    for r in batch.get(tp, [])
                    if r.offset < ends[tp]
                ]
        return letters
    finally:
        await consumer.stop()


def chosen(
    letters: Iterable[DeadLetter], *, group: str | None = None, reasons: Iterable[str] = ()
) -> list[DeadLetter]:
    """The letters of `group` (any group if None) whose reason is one of `reasons`
    (`handler-failed` if none is given)."""
    wanted = set(reasons) or {HANDLER_FAILED}
    return [
        letter
        for letter in letters
        if letter.reason in wanted and (group is None or letter.group == group)
    ]


async def replay(
    producer: AIOKafkaProducer,
    letters: list[DeadLetter],
    progress: Callable[[int, int, DeadLetter], None] | None = None,
) -> int:
    """Publish each letter again on its topic, in the order read; returns how many."""
    for done, letter in enumerate(letters, start=1):
        headers = [(k, v) for k, v in letter.headers if not k.startswith("dlq-")]
        headers.append((REPLAYED_FROM, letter.where.encode()))
        await producer.send_and_wait(letter.topic, letter.value, key=letter.key, headers=headers)
        if progress is not None:
            progress(done, len(letters), letter)
    return len(letters)
