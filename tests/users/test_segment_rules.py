"""The segment rule language, pure: what parses, what is refused with the path of the bad
node, and the in-memory evaluator's two-valued logic."""

import pytest

from services.users.segments import predicate, rules
from services.users.segments.rules import All, AnyOf, Condition, Not

HIGH_R = {"field": "rfm.r", "op": "gte", "value": 4}


def test_a_tree_parses_into_nodes_and_names_its_fields():
    tree = {
        "all": [
            HIGH_R,
            {"not": {"field": "lifecycle.stage", "op": "in", "value": ["dormant", "churned"]}},
            {"any": [{"field": "profile.city", "op": "starts_with", "value": "Hang"}]},
        ]
    }
    node = rules.parse(tree)
    assert node == All(
        (
            Condition("rfm.r", "gte", 4),
            Not(Condition("lifecycle.stage", "in", ("dormant", "churned"))),
            AnyOf((Condition("profile.city", "starts_with", "Hang"),)),
        )
    )
    assert rules.fields_of(node) == {"rfm.r", "lifecycle.stage", "profile.city"}


def nested(depth: int) -> dict:
    tree = HIGH_R
    for _ in range(depth - 1):
        tree = {"not": tree}
    return tree


@pytest.mark.parametrize(
    ("tree", "path", "says"),
    [
        ([HIGH_R], "rule", "must be an object"),
        ({"all": []}, "rule.all", "non-empty list"),
        (
            {"all": [HIGH_R, {"field": "shoe_size", "op": "eq", "value": 42}]},
            "rule.all[1].field",
            "unknown field",
        ),
        (
            {"field": "rfm.r", "op": "starts_with", "value": "4"},
            "rule.op",
            "not an operator of rfm.r",
        ),
        (
            {"field": "profile.city", "op": "matches", "value": "^H.*"},
            "rule.op",
            "regular expressions",
        ),
        ({"field": "rfm.r", "op": "eq", "value": "4"}, "rule.value", "integer"),
        ({"field": "rfm.r", "op": "eq", "value": True}, "rule.value", "integer"),
        ({"field": "rfm.r", "op": "eq", "value": 4.5}, "rule.value", "integer"),
        ({"field": "membership.tier", "op": "eq", "value": "diamond"}, "rule.value", "one of"),
        ({"field": "membership.tier", "op": "lt", "value": "gold"}, "rule.op", "not an operator"),
        (
            {"any": [{"field": "rfm.f", "op": "in", "value": [1, "2"]}]},
            "rule.any[0].value[1]",
            "integer",
        ),
        ({"field": "rfm.f", "op": "in", "value": []}, "rule.value", "list of 1 to 100"),
        ({"field": "rfm.f", "op": "between", "value": [5, 1]}, "rule.value", "low must not"),
        ({"field": "rfm.f", "op": "between", "value": [1]}, "rule.value", "[low, high]"),
        ({"field": "profile.city", "op": "eq", "value": ""}, "rule.value", "text of 1 to 100"),
        ({"all": [HIGH_R], "any": [HIGH_R]}, "rule", "exactly one of"),
        ({"field": "rfm.r", "op": "eq"}, "rule", "exactly one of"),
        (nested(7), "rule" + ".not" * 6, "at most 6 levels"),
        ({"any": [HIGH_R] * 50}, "rule.any[49]", "at most 50 nodes"),
    ],
)
def test_bad_rules_name_the_path_of_the_bad_node(tree, path, says):
    with pytest.raises(rules.RuleError) as refused:
        rules.parse(tree)
    assert refused.value.path == path
    assert says in refused.value.message


def test_the_limits_themselves_are_allowed():
    assert rules.parse(nested(6))
    assert rules.parse({"any": [HIGH_R] * 49})


def test_a_condition_on_an_unknown_value_is_false_and_its_negation_true():
    city = rules.parse({"field": "profile.city", "op": "ne", "value": "Hangzhou"})
    assert predicate.matches(city, {"profile.city": "Chengdu"})
    assert not predicate.matches(city, {"profile.city": None})
    assert predicate.matches(Not(city), {"profile.city": None})


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("eq", 3, True),
        ("ne", 3, False),
        ("lt", 3, False),
        ("lte", 3, True),
        ("gt", 2, True),
        ("gte", 4, False),
        ("between", [3, 5], True),
        ("between", [4, 5], False),
        ("in", [1, 3], True),
    ],
)
def test_every_integer_operator(op, value, expected):
    node = rules.parse({"field": "rfm.m", "op": op, "value": value})
    assert predicate.matches(node, {"rfm.m": 3}) is expected


def test_all_any_and_not_combine():
    yes = rules.parse({"field": "rfm.r", "op": "eq", "value": 1})
    no = rules.parse({"field": "rfm.r", "op": "eq", "value": 2})
    user = {"rfm.r": 1}
    assert predicate.matches(All((yes, Not(no))), user)
    assert not predicate.matches(All((yes, no)), user)
    assert predicate.matches(AnyOf((no, yes)), user)
    assert not predicate.matches(AnyOf((no, no)), user)


def test_an_explanation_shows_each_condition_with_the_value_seen():
    node = rules.parse(
        {
            "all": [
                {"field": "rfm.r", "op": "between", "value": [4, 5]},
                {"not": {"field": "profile.city", "op": "in", "value": ["Lhasa"]}},
            ]
        }
    )
    assert predicate.explain(node, {"rfm.r": 3, "profile.city": None}) == {
        "all": [
            {"field": "rfm.r", "op": "between", "value": [4, 5], "seen": 3, "matches": False},
            {
                "not": {
                    "field": "profile.city",
                    "op": "in",
                    "value": ["Lhasa"],
                    "seen": None,
                    "matches": False,
                },
                "matches": True,
            },
        ],
        "matches": False,
    }
