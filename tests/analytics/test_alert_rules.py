"""When an alert rule fires and recovers, exhaustively (pure rules: no I/O)."""

import hashlib
import hmac
from datetime import timedelta

import pytest

from contracts.analytics import AlertCondition, AlertMetric
from services.analytics.alerts.rules import AlertState, Reading, breached, figure, next_state
from services.analytics.alerts.signing import signature
from services.analytics.alerts.webhooks import LAST_RETRY, retry_delay
from services.analytics.metrics.sales import Totals

ABOVE, BELOW = AlertCondition.ABOVE, AlertCondition.BELOW
UP, DOWN = AlertCondition.UP_PERCENT, AlertCondition.DOWN_PERCENT


@pytest.mark.parametrize(
    ("condition", "threshold", "value", "expected"),
    [
        (ABOVE, 100, 101, True),
        (ABOVE, 100, 100, False),  # crossing means beyond the value, not at it
        (ABOVE, 100, 0, False),
        (BELOW, 5, 4, True),
        (BELOW, 5, 5, False),
        (BELOW, 5, 0, True),  # no orders at all is below any positive threshold
        (BELOW, 0.05, 0.049, True),
    ],
)
def test_a_threshold_holds_only_once_crossed(condition, threshold, value, expected):
    assert breached(condition, threshold, Reading(value)) is expected


@pytest.mark.parametrize(
    ("condition", "threshold", "value", "baseline", "expected"),
    [
        (UP, 50, 150, 100, True),  # +50 %: at the threshold fires
        (UP, 50, 149, 100, False),
        (UP, 50, 50, 100, False),  # a fall is no rise
        (DOWN, 30, 70, 100, True),  # -30 %
        (DOWN, 30, 71, 100, False),
        (DOWN, 30, 130, 100, False),  # a rise is no fall
        (DOWN, 100, 0, 100, True),  # everything gone
        (UP, 0, 100, 100, True),  # "any rise, or none": zero percent holds at no change
    ],
)
def test_a_change_is_measured_against_the_same_window_a_week_before(
    condition, threshold, value, baseline, expected
):
    assert breached(condition, threshold, Reading(value, baseline)) is expected


@pytest.mark.parametrize(
    ("condition", "reading"),
    [
        (ABOVE, Reading(None)),
        (BELOW, Reading(None)),
        (UP, Reading(None, 100)),
        (UP, Reading(100, None)),
        (UP, Reading(100, 0)),  # a rise from nothing has no percent
        (DOWN, Reading(0, 0)),
    ],
)
def test_without_data_a_rule_cannot_say(condition, reading):
    assert breached(condition, 10, reading) is None


@pytest.mark.parametrize(
    ("state", "breach", "expected"),
    [
        (AlertState.OK, True, AlertState.FIRING),
        (AlertState.OK, False, AlertState.OK),
        (AlertState.OK, None, AlertState.OK),
        (AlertState.FIRING, True, AlertState.FIRING),  # keeps quiet: no second firing
        (AlertState.FIRING, False, AlertState.OK),
        (AlertState.FIRING, None, AlertState.FIRING),  # no data does not clear an alert
    ],
)
def test_a_rule_fires_once_and_stays_until_it_recovers(state, breach, expected):
    assert next_state(state, breach) is expected


def test_each_metric_is_read_from_the_windows_sales():
    sales = Totals(gmv=20_000, orders=4, paying_users=3, refunded=1_000)
    assert [figure(metric, sales) for metric in AlertMetric] == [20_000, 4, 3, 0.05]
    assert figure(AlertMetric.REFUND_RATE, Totals(0, 0, 0, 500)) is None


def test_the_signature_is_hmac_sha256_of_the_timestamp_and_body():
    body = b'{"id":"1"}'
    expected = hmac.new(b"s3cret", b'1764579600.{"id":"1"}', hashlib.sha256).hexdigest()
    assert signature("s3cret", 1764579600, body) == f"t=1764579600,v1={expected}"
    assert signature("other", 1764579600, body) != signature("s3cret", 1764579600, body)
    assert signature("s3cret", 1764579601, body) != signature("s3cret", 1764579600, body)


def test_retries_back_off_doubling_to_an_hour():
    assert [retry_delay(n).total_seconds() for n in range(1, 5)] == [10, 20, 40, 80]
    assert retry_delay(30) == LAST_RETRY
    assert retry_delay(2, first=timedelta(0)) == timedelta(0)
