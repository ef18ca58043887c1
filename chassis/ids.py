"""Time-ordered identifiers (UUIDv7, RFC 9562), so ids sort by creation time."""

import os
import time
from datetime import datetime
from uuid import UUID


def new_id(at: datetime | None = None) -> UUID:
    """A UUIDv7: 48 bits of Unix milliseconds (of now, or of `at`), then random bits,
    version and variant set."""
    millis = time.time_ns() // 1_000_000 if at is None else int(at.timestamp() * 1000)
    value = (millis & ((1 << 48) - 1)) << 80 | int.from_bytes(os.urandom(10), "big")
    value = (value & ~(0xF << 76)) | (0x7 << 76)
    value = (value & ~(0x3 << 62)) | (0x2 << 62)
    return UUID(int=value)


def new_ids(count: int) -> list[UUID]:
    """`count` UUIDv7s of this millisecond, as `new_id` makes them, from one read of the
    random source (for a bulk write's ids: one system call instead of one per id)."""
    millis = (time.time_ns() // 1_000_000) & ((1 << 48) - 1)
    fixed = millis << 80 | 0x7 << 76 | 0x2 << 62
    mask = ~(0xF << 76 | 0x3 << 62) & ((1 << 80) - 1)
    random = os.urandom(10 * count)
    return [
        UUID(int=fixed | int.from_bytes(random[10 * n : 10 * n + 10], "big") & mask)
        for n in range(count)
    ]
