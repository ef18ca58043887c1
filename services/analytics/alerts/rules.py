"""When an alert rule fires and recovers (pure: no I/O)."""

from dataclasses import dataclass
from enum import StrEnum

from contracts.analytics import AlertCondition, AlertMetric
from services.analytics.metrics.sales import Totals, refund_rate


class AlertState(StrEnum):
    OK = "ok"
    FIRING = "firing"


CHANGES = {AlertCondition.UP_PERCENT, AlertCondition.DOWN_PERCENT}


@dataclass(frozen=True)
class Reading:
    """A metric over the rule's window, and over the same window a week before."""

    value: float | None
    baseline: float | None = None


def breached(condition: AlertCondition, threshold: float, reading: Reading) -> bool | None:
    """Whether the condition holds; None when the reading cannot say (no data: a refund
    rate without GMV, or a change against a week with nothing to compare to)."""
    value = reading.value
    if value is None:
        return None
    if condition is AlertCondition.ABOVE:
        return value > threshold
    if condition is AlertCondition.BELOW:
        return value < threshold
    baseline = reading.baseline
    if not baseline:  # None or zero: a change in percent of nothing is no figure
        return None
    change = (value - baseline) / baseline * 100
    if condition is AlertCondition.UP_PERCENT:
        return change >= threshold
    return -change >= threshold


def next_state(state: AlertState, breach: bool | None) -> AlertState:
    """A rule fires when its condition starts to hold and recovers when it stops; without
    data it stays as it is (a quiet hour neither raises nor clears an alert)."""
    if breach is None:
        return state
    return AlertState.FIRING if breach else AlertState.OK


def figure(metric: AlertMetric, totals: Totals) -> float | None:
    """The metric a rule watches, from the sales of its window."""
    if metric is AlertMetric.GMV:
        return totals.gmv
    if metric is AlertMetric.ORDERS:
        return totals.orders
    if metric is AlertMetric.PAYING_USERS:
        return totals.paying_users
    return refund_rate(totals.refunded, totals.gmv)
