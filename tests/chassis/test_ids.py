"""Identifiers: UUIDv7, one at a time or many from one read of the random source."""

import time
import uuid
from datetime import UTC, datetime

from chassis.ids import new_id, new_ids


def test_ids_made_in_bulk_are_uuid7s_of_now_each_different():
    before = time.time_ns() // 1_000_000
    ids = new_ids(1000)
    after = time.time_ns() // 1_000_000
    assert len(set(ids)) == 1000
    for made in ids:
        assert (made.version, made.variant) == (7, uuid.RFC_4122)
        assert before <= made.int >> 80 <= after
    # Both runs of random bits vary: the 12 after the version, the 62 after the variant.
    assert len({made.int >> 64 & 0xFFF for made in ids}) > 100
    assert len({made.int & ((1 << 62) - 1) for made in ids}) == 1000
    assert new_ids(0) == []


def test_one_id_is_a_uuid7_of_now():
    made = new_id()
    assert (made.version, made.variant) == (7, uuid.RFC_4122)
    assert abs((made.int >> 80) - time.time_ns() // 1_000_000) < 1000


def test_an_id_minted_as_of_a_moment_carries_that_moment():
    at = datetime(2026, 11, 11, 0, 0, 0, 123000, tzinfo=UTC)
    made = new_id(at)
    assert (made.version, made.variant) == (7, uuid.RFC_4122)
    assert made.int >> 80 == int(at.timestamp() * 1000)
