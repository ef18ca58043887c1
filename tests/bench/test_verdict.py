"""A benchmark passes only when it showed its targets, and says when its client was the limit."""

import pytest

from bench.common import KNOWN_PING_RPS, client_bottleneck, passed


@pytest.mark.parametrize(
    ("result", "verdict"),
    [
        ({"met": {"a": True, "b": True}}, True),
        ({"met": {"a": True, "b": False}}, False),
        ({"met": {"a": None, "b": None}}, False),  # not judged is not met
        ({"met": {}}, False),
        ({"met": {"a": True}, "exactly_once": {"ok": True}}, True),
        ({"met": {"a": True}, "exactly_once": {"ok": False}}, False),
    ],
)
def test_a_run_passes_only_with_every_target_met_and_exactly_once_held(result, verdict):
    assert passed(result) is verdict


def test_the_client_is_the_bottleneck_when_the_bare_ping_is_slow_or_it_saturates():
    assert client_bottleneck(KNOWN_PING_RPS * 0.8, 0.5) is None
    slow = client_bottleneck(470, 0.5)
    assert slow == (
        f"the bare route reached 470 req/s, far below this machine's known ~{KNOWN_PING_RPS:,.0f}"
    )
    assert client_bottleneck(KNOWN_PING_RPS * 0.49, 0.1) is not None
    assert client_bottleneck(KNOWN_PING_RPS * 0.5, 0.1) is None
    assert client_bottleneck(KNOWN_PING_RPS, 0.95) == "the client was busy 95% of a core"
    assert client_bottleneck(KNOWN_PING_RPS, 0.9) == "the client was busy 90% of a core"
    assert client_bottleneck(KNOWN_PING_RPS, 0.89) is None
