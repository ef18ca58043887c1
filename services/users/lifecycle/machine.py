"""The lifecycle state machine: the stage a user's facts put them in under a version of the
rules, the legal moves between stages with their reasons, and when time alone next moves a
user. No I/O.

    potential ──first_order──▶ new ──new_period_over──▶ active ◀──spend_fell── high_value
        └──first_order──▶ high_value ◀──spend_reached── new, active
        (an old first order, arriving late, moves potential to any stage: first_order)
    new, active, high_value ──inactive──▶ dormant ──inactive──▶ churned
    new, active, high_value ──inactive──▶ churned (when the dormant step was missed)
    dormant, churned ──reactivated──▶ active, high_value

The first decision after operators change the rules may make any move, with the reason
`rules_changed`."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from contracts.users import LifecycleReason as Reason
from contracts.users import LifecycleStage as Stage


@dataclass(frozen=True)  # pragma: no mutate (frozen or not, the machine never writes one)
class Rules:
    """Thresholds of one version of the rules; `new_days < dormant_days < churned_days`."""

    version: int
    new_days: int
    dormant_days: int
    churned_days: int
    high_value_spend: int  # minor units of lifetime net spend
    high_value_orders: int  # paid orders

    def problem(self) -> tuple[str, str] | None:
        """(field, message) of the first broken constraint between thresholds, else None."""
        if self.dormant_days <= self.new_days:
            return "dormant_days", "must be more than new_days"
        if self.churned_days <= self.dormant_days:
            return "churned_days", "must be more than dormant_days"
        return None


@dataclass(frozen=True)  # pragma: no mutate (as Rules)
class Facts:
    """What the metrics know about a user."""

    paid_orders: int
    net_spend: int
    first_paid_at: datetime | None
    last_active_at: datetime | None


@dataclass(frozen=True)  # pragma: no mutate (as Rules)
class Transition:
    from_stage: Stage
    to_stage: Stage
    reason: Reason


class IllegalTransition(RuntimeError):
    """The facts point to a stage no legal move reaches: a bug, never a user's doing."""


PAID = (Stage.NEW, Stage.ACTIVE, Stage.HIGH_VALUE)
IDLE = (Stage.DORMANT, Stage.CHURNED)
EDGES: dict[tuple[Stage, Stage], Reason] = {
    # the first paid order: usually to new; to any stage when old orders arrive late
    **{(Stage.POTENTIAL, stage): Reason.FIRST_ORDER for stage in (*PAID, *IDLE)},
    (Stage.NEW, Stage.ACTIVE): Reason.NEW_PERIOD_OVER,
    (Stage.NEW, Stage.HIGH_VALUE): Reason.SPEND_REACHED,
    (Stage.ACTIVE, Stage.HIGH_VALUE): Reason.SPEND_REACHED,
    (Stage.HIGH_VALUE, Stage.ACTIVE): Reason.SPEND_FELL,
    (Stage.HIGH_VALUE, Stage.NEW): Reason.SPEND_FELL,
    **{(stage, Stage.DORMANT): Reason.INACTIVE for stage in PAID},
    **{(stage, Stage.CHURNED): Reason.INACTIVE for stage in (*PAID, Stage.DORMANT)},
    **{
        (stage, back): Reason.REACTIVATED
        for stage in IDLE
        for back in (Stage.ACTIVE, Stage.HIGH_VALUE)
    },
}


def stage_of(facts: Facts, rules: Rules, now: datetime) -> Stage:
    """The stage the facts put a user in: inactivity first, then value, then newness."""
    if facts.paid_orders == 0 or facts.first_paid_at is None:
        return Stage.POTENTIAL
    idle = now - (facts.last_active_at or facts.first_paid_at)
    if idle >= timedelta(days=rules.churned_days):
        return Stage.CHURNED
    if idle >= timedelta(days=rules.dormant_days):
        return Stage.DORMANT
    if facts.net_spend >= rules.high_value_spend and facts.paid_orders >= rules.high_value_orders:
        return Stage.HIGH_VALUE
    if now - facts.first_paid_at < timedelta(days=rules.new_days):
        return Stage.NEW
    return Stage.ACTIVE


def decide(
    current: Stage, facts: Facts, rules: Rules, now: datetime, *, rules_changed: bool = False
) -> Transition | None:
    """The move the facts call for, or None when the user stays. The first decision under a
    newer version of the rules (`rules_changed`) gives `rules_changed` as its reason, and may
    make any move; otherwise only the moves of `EDGES` are legal."""
    target = stage_of(facts, rules, now)
    if target == current:
        return None
    if rules_changed:
        return Transition(current, target, Reason.RULES_CHANGED)
    reason = EDGES.get((current, target))
    if reason is None:
        raise IllegalTransition(f"{current} → {target} is not a move of the lifecycle")
    return Transition(current, target, reason)


def next_change(facts: Facts, rules: Rules, now: datetime) -> datetime | None:
    """The first moment after `now` at which time alone can change the stage (the end of the
    new period, turning dormant, turning churned), or None when no clock runs."""
    if facts.paid_orders == 0 or facts.first_paid_at is None:
        return None
    last = facts.last_active_at or facts.first_paid_at
    moments = (
        facts.first_paid_at + timedelta(days=rules.new_days),
        last + timedelta(days=rules.dormant_days),
        last + timedelta(days=rules.churned_days),
    )
    future = [moment for moment in moments if moment > now]
    return min(future) if future else None
