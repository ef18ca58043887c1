"""The lifecycle state machine, pure: every stage the facts lead to, every legal move and
its reason, the moves refused, and when time alone next moves a user."""

from datetime import UTC, datetime, timedelta

import pytest

from contracts.users import LifecycleReason as Reason
from contracts.users import LifecycleStage as Stage
from services.users.lifecycle import machine
from services.users.lifecycle.machine import Facts, Rules

RULES = Rules(
    version=3,
    new_days=30,
    dormant_days=60,
    churned_days=180,
    high_value_spend=500_000,
    high_value_orders=3,
)
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def facts(orders=1, spend=10_000, first_days_ago=1, idle_days=None) -> Facts:
    first = NOW - timedelta(days=first_days_ago)
    idle = first_days_ago if idle_days is None else idle_days
    return Facts(orders, spend, first if orders else None, NOW - timedelta(days=idle))


@pytest.mark.parametrize(
    ("known", "stage"),
    [
        (Facts(0, 0, None, NOW), Stage.POTENTIAL),
        (facts(first_days_ago=29), Stage.NEW),
        (facts(first_days_ago=30, idle_days=1), Stage.ACTIVE),  # the new period is 30 days
        (facts(orders=3, spend=500_000, first_days_ago=5), Stage.HIGH_VALUE),
        (facts(orders=7, spend=500_000, first_days_ago=90, idle_days=1), Stage.HIGH_VALUE),
        # every paid order refunded or cancelled since: no paid order, a first one on record
        (Facts(0, 0, NOW - timedelta(days=90), NOW), Stage.POTENTIAL),
        (facts(orders=2, spend=900_000, first_days_ago=90, idle_days=1), Stage.ACTIVE),
        (facts(orders=3, spend=499_999, first_days_ago=90, idle_days=1), Stage.ACTIVE),
        (facts(first_days_ago=90, idle_days=59), Stage.ACTIVE),
        (facts(first_days_ago=90, idle_days=60), Stage.DORMANT),
        (facts(orders=9, spend=10**7, first_days_ago=90, idle_days=60), Stage.DORMANT),
        (facts(first_days_ago=400, idle_days=179), Stage.DORMANT),
        (facts(first_days_ago=400, idle_days=180), Stage.CHURNED),
    ],
)
def test_the_stage_follows_from_the_facts(known, stage):
    assert machine.stage_of(known, RULES, NOW) == stage


@pytest.mark.parametrize(
    ("current", "known", "to", "reason"),
    [
        (Stage.POTENTIAL, facts(), Stage.NEW, Reason.FIRST_ORDER),
        (Stage.POTENTIAL, facts(3, 600_000), Stage.HIGH_VALUE, Reason.FIRST_ORDER),
        (Stage.POTENTIAL, facts(first_days_ago=40), Stage.ACTIVE, Reason.FIRST_ORDER),
        (Stage.POTENTIAL, facts(first_days_ago=70), Stage.DORMANT, Reason.FIRST_ORDER),
        (Stage.NEW, facts(first_days_ago=31, idle_days=0), Stage.ACTIVE, Reason.NEW_PERIOD_OVER),
        (Stage.NEW, facts(3, 500_000), Stage.HIGH_VALUE, Reason.SPEND_REACHED),
        (Stage.ACTIVE, facts(3, 500_000, 40, 0), Stage.HIGH_VALUE, Reason.SPEND_REACHED),
        (Stage.HIGH_VALUE, facts(3, 400_000, 40, 0), Stage.ACTIVE, Reason.SPEND_FELL),
        (Stage.HIGH_VALUE, facts(3, 400_000, 5), Stage.NEW, Reason.SPEND_FELL),
        (Stage.NEW, facts(first_days_ago=61), Stage.DORMANT, Reason.INACTIVE),
        (Stage.ACTIVE, facts(first_days_ago=90, idle_days=60), Stage.DORMANT, Reason.INACTIVE),
        (Stage.HIGH_VALUE, facts(3, 10**6, 90, 60), Stage.DORMANT, Reason.INACTIVE),
        (Stage.DORMANT, facts(first_days_ago=400, idle_days=180), Stage.CHURNED, Reason.INACTIVE),
        (Stage.ACTIVE, facts(first_days_ago=400, idle_days=200), Stage.CHURNED, Reason.INACTIVE),
        (Stage.DORMANT, facts(first_days_ago=90, idle_days=0), Stage.ACTIVE, Reason.REACTIVATED),
        (Stage.CHURNED, facts(first_days_ago=400, idle_days=0), Stage.ACTIVE, Reason.REACTIVATED),
        (Stage.CHURNED, facts(3, 10**6, 400, 0), Stage.HIGH_VALUE, Reason.REACTIVATED),
    ],
)
def test_every_legal_move_has_its_reason(current, known, to, reason):
    assert machine.decide(current, known, RULES, NOW) == machine.Transition(current, to, reason)


def test_staying_is_no_move():
    assert machine.decide(Stage.NEW, facts(), RULES, NOW) is None
    assert machine.decide(Stage.POTENTIAL, Facts(0, 0, None, NOW), RULES, NOW) is None


@pytest.mark.parametrize(
    ("current", "known"),
    [
        (Stage.ACTIVE, facts()),  # active never goes back to new by itself
        (Stage.CHURNED, facts(first_days_ago=400, idle_days=90)),  # nor churned to dormant
    ],
)
def test_a_move_off_the_machine_is_refused_unless_the_rules_changed(current, known):
    with pytest.raises(machine.IllegalTransition):
        machine.decide(current, known, RULES, NOW)
    moved = machine.decide(current, known, RULES, NOW, rules_changed=True)
    assert moved.reason == Reason.RULES_CHANGED


def test_after_new_rules_any_move_says_rules_changed():
    moved = machine.decide(
        Stage.DORMANT, facts(first_days_ago=90, idle_days=0), RULES, NOW, rules_changed=True
    )
    assert (moved.to_stage, moved.reason) == (Stage.ACTIVE, Reason.RULES_CHANGED)


def test_only_legal_moves_arise_as_time_passes_and_users_act():
    """Walk many users through days of payments, visits and silence: every move the machine
    makes on its own is one of its edges (decide would raise otherwise)."""
    import random

    rng = random.Random(18)
    for _ in range(200):
        stage, orders, spend, first, last = Stage.POTENTIAL, 0, 0, None, None
        day = NOW
        for _ in range(120):
            day += timedelta(days=rng.choice((1, 3, 10, 40)))
            action = rng.random()
            if action < 0.3:
                orders, spend = orders + 1, spend + rng.choice((5_000, 100_000, 400_000))
                first, last = first or day, day
            elif action < 0.4 and orders:
                spend = max(0, spend - 200_000)  # a refund
            elif action < 0.6 and orders:
                last = day
            moved = machine.decide(stage, Facts(orders, spend, first, last), RULES, day)
            if moved:
                assert (moved.from_stage, moved.to_stage) in machine.EDGES
                stage = moved.to_stage


def test_rules_changed_is_named_never_passed_by_position():
    with pytest.raises(TypeError):
        machine.decide(Stage.NEW, facts(), RULES, NOW, True)


def test_the_timer_is_the_next_moment_time_alone_moves_the_user():
    assert machine.next_change(Facts(0, 0, None, NOW), RULES, NOW) is None
    assert machine.next_change(Facts(0, 0, NOW - timedelta(days=5), NOW), RULES, NOW) is None
    # at the very end of the new period, the next moment is the one after it
    ending = facts(first_days_ago=30, idle_days=0)
    assert machine.next_change(ending, RULES, NOW) == NOW + timedelta(days=60)
    fresh = facts(first_days_ago=0)
    assert machine.next_change(fresh, RULES, NOW) == NOW + timedelta(days=30)
    settled = facts(first_days_ago=40, idle_days=10)
    assert machine.next_change(settled, RULES, NOW) == NOW + timedelta(days=50)
    dormant = facts(first_days_ago=100, idle_days=70)
    assert machine.next_change(dormant, RULES, NOW) == NOW + timedelta(days=110)
    churned = facts(first_days_ago=400, idle_days=200)
    assert machine.next_change(churned, RULES, NOW) is None


def test_thresholds_must_rise_from_new_to_dormant_to_churned():
    assert RULES.problem() is None
    for dormant in (60, 45):
        bad = Rules(2, 60, dormant, 180, 1, 1)
        assert bad.problem() == ("dormant_days", "must be more than new_days")
    assert Rules(2, 30, 60, 45, 1, 1).problem() == (
        "churned_days",
        "must be more than dormant_days",
    )
    assert Rules(2, 30, 60, 60, 1, 1).problem() == (
        "churned_days",
        "must be more than dormant_days",
    )
