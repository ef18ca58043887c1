"""Collection's rules: each event judged on its own, with reasons."""

from datetime import UTC, datetime, timedelta

import pytest

from services.analytics.collect.rules import MAX_FUTURE, MAX_PAST, MAX_PROPERTIES_BYTES, judge
from services.analytics.collect.schemas import CollectedEvent, Rejected

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def raw(**overrides) -> dict:
    return {"client_event_id": "c-1", "name": "page_view", "client_time": NOW.isoformat()} | (
        overrides
    )


@pytest.mark.parametrize(
    "name", ["page_view", "product_view", "search", "add_to_cart", "content_view", "share", "click"]
)
def test_every_collected_name_is_kept(name):
    assert isinstance(judge(0, raw(name=name), NOW), CollectedEvent)


@pytest.mark.parametrize(
    ("event", "fields"),
    [
        (raw(name="teleport"), ["name"]),
        (raw(name="exposure"), ["name"]),  # recorded by services, not collected from clients
        (raw(client_time=(NOW + MAX_FUTURE + timedelta(seconds=1)).isoformat()), ["client_time"]),
        (raw(client_time=(NOW - MAX_PAST - timedelta(seconds=1)).isoformat()), ["client_time"]),
        (raw(client_time="2026-12-01T08:00:00"), ["client_time"]),  # no timezone
        (raw(name="nope", client_time="2020-01-01T00:00:00Z"), ["name", "client_time"]),
        ({"name": "click"}, ["client_event_id", "client_time"]),
        (raw(colour="red"), ["colour"]),
        # Published in batches of a request's events, which a message holds up to a size.
        (raw(properties={"note": "x" * MAX_PROPERTIES_BYTES}), ["properties"]),
        (raw(properties={"note": "茶" * (MAX_PROPERTIES_BYTES // 3)}), ["properties"]),
        ("not an object", ["(event)"]),
    ],
)
def test_a_bad_event_is_rejected_with_a_reason_per_fault(event, fields):
    judged = judge(3, event, NOW)
    assert isinstance(judged, Rejected)
    assert judged.index == 3
    assert [r.field for r in judged.reasons] == fields


def test_the_time_limits_are_inclusive():
    assert isinstance(
        judge(0, raw(client_time=(NOW + MAX_FUTURE).isoformat()), NOW), CollectedEvent
    )
    assert isinstance(judge(0, raw(client_time=(NOW - MAX_PAST).isoformat()), NOW), CollectedEvent)


def test_a_rejection_names_the_client_event_id_when_it_has_one():
    assert judge(0, raw(name="teleport"), NOW).client_event_id == "c-1"
    assert judge(0, {"client_event_id": 5}, NOW).client_event_id is None


def test_properties_up_to_the_limit_as_published_are_kept():
    # {"note":"..."} is 11 bytes around the text; a Chinese character is 3 bytes of UTF-8.
    assert isinstance(
        judge(0, raw(properties={"note": "x" * (MAX_PROPERTIES_BYTES - 11)}), NOW), CollectedEvent
    )
    assert isinstance(judge(0, raw(properties={"big": 2**70}), NOW), CollectedEvent)
