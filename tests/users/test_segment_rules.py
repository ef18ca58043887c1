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


PAID_3_IN_30 = {"field": "events.paid_orders", "op": "gte", "value": 3, "days": 30}


@pytest.mark.parametrize(
    ("ages", "expected"),
    [
        ((1, 10, 29), True),
        ((1, 10), False),  # two are not three
        ((1, 10, 30), False),  # 30 days old: out of the window
        ((1, 10, 31, 40), False),
        ((1, 2, 3, 4), True),
        ((), False),
    ],
)
def test_an_event_count_counts_the_events_inside_its_window(ages, expected):
    user = {"events.paid_orders": [AT - age * DAY for age in ages]}
    assert predicate.matches(rules.parse(PAID_3_IN_30), user, AT) is expected


def test_no_events_count_zero_so_fewer_than_holds_for_those_never_seen():
    fewer = rules.parse({"field": "events.check_ins", "op": "lt", "value": 1, "days": 7})
    assert predicate.matches(fewer, {}, AT)
    assert predicate.matches(fewer, {"events.check_ins": [AT - 7 * DAY]}, AT)
    assert not predicate.matches(fewer, {"events.check_ins": [AT - 6 * DAY]}, AT)


def test_time_flips_a_count_when_its_oldest_event_inside_the_window_grows_old():
    rule = rules.parse(PAID_3_IN_30)
    moments = [AT - 40 * DAY, AT - 20 * DAY, AT - 5 * DAY, AT - DAY]
    user = {"events.paid_orders": moments}
    assert rules.flips(rule, user, AT) == moments[1] + 30 * DAY  # the 40-day one is out
    assert predicate.matches(rule, user, moments[1] + 30 * DAY - timedelta(microseconds=1))
    assert not predicate.matches(rule, user, moments[1] + 30 * DAY)  # 2 left
    assert rules.flips(rule, user, moments[1] + 30 * DAY) == moments[2] + 30 * DAY
    assert rules.flips(rule, user, moments[3] + 30 * DAY) is None
    explained = predicate.explain(rule, user, AT)
    assert (explained["seen"], explained["days"], explained["matches"]) == (3, 30, True)


@pytest.mark.parametrize(
    ("tree", "path", "says"),
    [
        ({"field": "events.paid_orders", "op": "gte", "value": 3}, "rule.days", "window"),
        ({**PAID_3_IN_30, "days": 0}, "rule.days", "1 to 3650"),
        ({**PAID_3_IN_30, "days": 3651}, "rule.days", "1 to 3650"),
        ({**PAID_3_IN_30, "days": True}, "rule.days", "whole days"),
        ({**PAID_3_IN_30, "value": "3"}, "rule.value", "integer"),
        ({**PAID_3_IN_30, "op": "within_days"}, "rule.op", "not an operator"),
        ({**PAID_3_IN_30, "op": "in", "value": [3]}, "rule.op", "not an operator"),
        ({**HIGH_R, "days": 30}, "rule.days", "only event counts"),
        ({"field": "tags", "op": "eq", "value": "vip"}, "rule.op", "not an operator"),
        ({"field": "tags", "op": "has", "value": "  "}, "rule.value", "tag of 1 to 60"),
        ({"field": "tags", "op": "has", "value": 3}, "rule.value", "tag of 1 to 60"),
        ({"field": "tags", "op": "has_any", "value": []}, "rule.value", "1 to 100 tags"),
        ({"field": "tags", "op": "has_any", "value": ["a", ""]}, "rule.value[1]", "tag"),
    ],
)
def test_bad_counts_and_tag_conditions_name_the_bad_node(tree, path, says):
    with pytest.raises(rules.RuleError) as refused:
        rules.parse(tree)
    assert refused.value.path == path
    assert says in refused.value.message


def test_tags_are_matched_normalised_and_a_user_without_tags_has_none():
    has = rules.parse({"field": "tags", "op": "has", "value": " Brand:ACME "})
    anyof = rules.parse({"field": "tags", "op": "has_any", "value": ["vip", "brand:acme"]})
    assert has == Condition("tags", "has", "brand:acme")
    assert predicate.matches(has, {"tags": {"brand:acme", "vip"}}, AT)
    assert predicate.matches(anyof, {"tags": {"vip"}}, AT)
    assert not predicate.matches(anyof, {"tags": {"topic:camping"}}, AT)
    assert not predicate.matches(has, {}, AT)
    assert predicate.matches(Not(has), {}, AT)
