"""The segment rule language, pure: what parses, what is refused with the path of the bad
node, and the in-memory evaluator's two-valued logic."""

from datetime import UTC, datetime, timedelta

import pytest

from services.users.segments import predicate, rules
from services.users.segments.rules import All, AnyOf, Condition, Not

HIGH_R = {"field": "rfm.r", "op": "gte", "value": 4}
AT = datetime(2026, 12, 1, 12, tzinfo=UTC)
DAY = timedelta(days=1)


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
    assert predicate.matches(city, {"profile.city": "Chengdu"}, AT)
    assert not predicate.matches(city, {"profile.city": None}, AT)
    assert predicate.matches(Not(city), {"profile.city": None}, AT)


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
    assert predicate.matches(node, {"rfm.m": 3}, AT) is expected


def test_all_any_and_not_combine():
    yes = rules.parse({"field": "rfm.r", "op": "eq", "value": 1})
    no = rules.parse({"field": "rfm.r", "op": "eq", "value": 2})
    user = {"rfm.r": 1}
    assert predicate.matches(All((yes, Not(no))), user, AT)
    assert not predicate.matches(All((yes, no)), user, AT)
    assert predicate.matches(AnyOf((no, yes)), user, AT)
    assert not predicate.matches(AnyOf((no, no)), user, AT)


def test_an_explanation_shows_each_condition_with_the_value_seen():
    node = rules.parse(
        {
            "all": [
                {"field": "rfm.r", "op": "between", "value": [4, 5]},
                {"not": {"field": "profile.city", "op": "in", "value": ["Lhasa"]}},
            ]
        }
    )
    assert predicate.explain(node, {"rfm.r": 3, "profile.city": None}, AT) == {
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


ORDERED_30 = {"field": "metrics.last_paid_at", "op": "within_days", "value": 30}
NO_LOGIN_60 = {"not": {"field": "logins.last_login_at", "op": "within_days", "value": 60}}


@pytest.mark.parametrize(
    ("age", "within", "before"),
    [
        (29 * DAY, True, False),
        (30 * DAY - timedelta(microseconds=1), True, False),
        (30 * DAY, False, True),  # the edge belongs to before_days: the window has passed
        (31 * DAY, False, True),
    ],
)
def test_a_window_counts_back_from_the_moment_of_evaluation(age, within, before):
    user = {"metrics.last_paid_at": AT - age}
    assert predicate.matches(rules.parse(ORDERED_30), user, AT) is within
    before_30 = rules.parse({"field": "metrics.last_paid_at", "op": "before_days", "value": 30})
    assert predicate.matches(before_30, user, AT) is before


def test_a_window_on_a_moment_never_seen_is_false_and_its_negation_true():
    never = {"logins.last_login_at": None}
    assert predicate.matches(rules.parse(NO_LOGIN_60), never, AT)
    assert not predicate.matches(rules.parse(NO_LOGIN_60["not"]), never, AT)


def test_time_flips_a_rule_at_the_earliest_window_edge_still_ahead():
    rule = rules.parse({"all": [ORDERED_30, NO_LOGIN_60]})
    paid, login = AT - 10 * DAY, AT - 50 * DAY
    user = {"metrics.last_paid_at": paid, "logins.last_login_at": login}
    assert rules.flips(rule, user, AT) == login + 60 * DAY  # 10 days ahead; paid's is 20
    assert rules.flips(rule, user, login + 60 * DAY) == paid + 30 * DAY
    assert rules.flips(rule, user, paid + 30 * DAY) is None  # both passed: time changes nothing
    assert rules.flips(rule, {"metrics.last_paid_at": None}, AT) is None
    assert rules.flips(rules.parse(HIGH_R), {"rfm.r": 5}, AT) is None
    # At each flip the result is what it becomes after it, and held until the next.
    assert not predicate.matches(rule, user, login + 60 * DAY - timedelta(microseconds=1))
    assert predicate.matches(rule, user, login + 60 * DAY)
    assert not predicate.matches(rule, user, paid + 30 * DAY)


@pytest.mark.parametrize("value", [0, 3651, 1.5, True, "30"])
def test_a_window_is_a_whole_number_of_days_within_ten_years(value):
    with pytest.raises(rules.RuleError) as refused:
        rules.parse({"field": "metrics.last_active_at", "op": "within_days", "value": value})
    assert refused.value.path == "rule.value"


def test_a_time_field_takes_windows_only():
    with pytest.raises(rules.RuleError) as refused:
        rules.parse({"field": "metrics.last_active_at", "op": "gte", "value": 3})
    assert refused.value.path == "rule.op"
