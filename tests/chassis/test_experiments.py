"""Experiment assignment: stable, reproducible from its documented rule, and fair."""

import hashlib
from collections import Counter

import pytest
from pydantic import ValidationError

from chassis.experiments import HOLDOUT, Experiment, Variant

UNITS = [f"user-{n}" for n in range(20_000)]


def experiment(**fields) -> Experiment:
    defaults = {"key": "feed-ranking", "variants": [Variant(name="control"), Variant(name="new")]}
    return Experiment.model_validate({**defaults, **fields})


def documented_rule(key: str, unit: str, traffic: float, weights: dict[str, int]) -> str | None:
    """The rule as the module's documentation states it, for another language to copy."""

    def u(salt: str) -> float:
        digest = hashlib.sha256(f"{salt}:{key}:{unit}".encode()).digest()
        return int.from_bytes(digest[:8], "big") / 2**64

    if u("traffic") >= traffic:
        return None
    point, total = u("variant"), sum(weights.values())
    for name, weight in weights.items():
        if point < weight / total:
            return name
        point -= weight / total
    raise AssertionError("no variant covers the point")


def test_assignment_follows_the_documented_rule():
    weights = {"a": 1, "b": 3}
    spec = experiment(
        key="checkout-button",
        traffic=0.7,
        variants=[{"name": n, "weight": w} for n, w in weights.items()],
    )
    for unit in UNITS[:500]:
        assert spec.assign(unit) == documented_rule("checkout-button", unit, 0.7, weights)


def test_variants_get_their_share_of_the_traffic():
    spec = experiment(
        traffic=0.5,
        variants=[
            {"name": "a", "weight": 1},
            {"name": "b", "weight": 1},
            {"name": "c", "weight": 2},
        ],
    )
    counts = Counter(spec.assign(unit) for unit in UNITS)
    shares = {name: count / len(UNITS) for name, count in counts.items()}
    assert shares[None] == pytest.approx(0.5, abs=0.02)
    assert shares["a"] == pytest.approx(0.125, abs=0.01)
    assert shares["b"] == pytest.approx(0.125, abs=0.01)
    assert shares["c"] == pytest.approx(0.25, abs=0.015)


def test_ramping_traffic_up_only_adds_units():
    small, large = experiment(traffic=0.1), experiment(traffic=0.6)
    before = {unit: small.assign(unit) for unit in UNITS}
    assert 0.08 < sum(v is not None for v in before.values()) / len(UNITS) < 0.12
    for unit, variant in before.items():
        if variant is not None:
            assert large.assign(unit) == variant


def test_a_holdout_is_kept_apart_and_the_rest_keep_their_variants():
    plain, held = experiment(), experiment(holdout=0.2)
    counts = Counter(held.assign(unit) for unit in UNITS)
    assert counts[HOLDOUT] / len(UNITS) == pytest.approx(0.2, abs=0.015)
    assert None not in counts  # full traffic: everyone is in, held out or not
    for unit in UNITS[:2000]:
        if (variant := held.assign(unit)) != HOLDOUT:
            assert variant == plain.assign(unit)


def test_experiments_are_independent_of_each_other():
    first, second = experiment(key="first"), experiment(key="second")
    both_new = sum(first.assign(u) == "new" and second.assign(u) == "new" for u in UNITS)
    assert both_new / len(UNITS) == pytest.approx(0.25, abs=0.015)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"variants": [{"name": "only"}]}, "variants"),
        ({"variants": [{"name": "a"}, {"name": "a"}]}, "unique"),
        ({"variants": [{"name": "a"}, {"name": HOLDOUT}]}, "reserved"),
        ({"variants": [{"name": "a", "weight": 0}, {"name": "b"}]}, "weight"),
        ({"variants": [{"name": "A b"}, {"name": "b"}]}, "name"),
        ({"traffic": 1.5}, "traffic"),
        ({"holdout": 1.0}, "holdout"),
        ({"key": ""}, "key"),
    ],
)
def test_bad_definitions_are_refused_naming_the_problem(fields, field):
    with pytest.raises(ValidationError, match=field):
        experiment(**fields)
