"""The segment rule language: a tree of `all` / `any` / `not` over typed conditions on known
fields, parsed from JSON and validated with the path of the bad node. Rules are data, never
evaluated as code. No I/O.

    {"all": [{"field": "rfm.r", "op": "gte", "value": 4},
             {"not": {"field": "lifecycle.stage", "op": "in", "value": ["dormant", "churned"]}}]}

A condition on a value a user does not have (no profile city, never scored) is false, so
`not` of it is true: two-valued logic, which both evaluators (`predicate`, `sql`) follow.

Time fields (when something last happened) take windows in days counted back from the moment
of evaluation: `within_days` N holds while the moment is less than N days old, `before_days` N
once it is N days old or more. Either flips, as time alone passes, exactly N days after the
moment (`flips`): the instant a timer re-evaluates the user.

    {"not": {"field": "logins.last_login_at", "op": "within_days", "value": 60}}  # no login, 60 d

Event counts count the events of a kind in a window of `days` counted back the same way:

    {"field": "events.paid_orders", "op": "gte", "value": 3, "days": 30}  # 3 paid in 30 days

A count falls, as time alone passes, when one of its events grows `days` old: the earliest
such moment still ahead is when a timer re-evaluates the user.

Tags (`tags`) are the set of interest tags a user holds, system or manual: `has` one,
`has_any` of a list.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from contracts.users import Gender, LifecycleStage, Tier
from services.users.tags.rules import MAX_TAG, normalise

MAX_DEPTH = 6
MAX_NODES = 50
MAX_CHOICES = 100
MAX_TEXT = 100
MAX_DAYS = 3650


class Kind(StrEnum):
    INTEGER = "integer"
    CHOICE = "choice"
    TEXT = "text"
    TIME = "time"
    COUNT = "count"  # events in a window of days
    TAGS = "tags"


@dataclass(frozen=True)
class FieldSpec:
    kind: Kind
    choices: tuple[str, ...] = ()


FIELDS = {
    "profile.gender": FieldSpec(Kind.CHOICE, tuple(Gender)),
    "profile.birth_year": FieldSpec(Kind.INTEGER),
    "profile.city": FieldSpec(Kind.TEXT),
    "lifecycle.stage": FieldSpec(Kind.CHOICE, tuple(LifecycleStage)),
    "membership.tier": FieldSpec(Kind.CHOICE, tuple(Tier)),
    "rfm.r": FieldSpec(Kind.INTEGER),
    "rfm.f": FieldSpec(Kind.INTEGER),
    "rfm.m": FieldSpec(Kind.INTEGER),
    "metrics.paid_orders": FieldSpec(Kind.INTEGER),
    "metrics.net_spend": FieldSpec(Kind.INTEGER),
    "metrics.last_paid_at": FieldSpec(Kind.TIME),
    "metrics.last_active_at": FieldSpec(Kind.TIME),
    "logins.last_login_at": FieldSpec(Kind.TIME),
    "events.paid_orders": FieldSpec(Kind.COUNT),
    "events.check_ins": FieldSpec(Kind.COUNT),
    "tags": FieldSpec(Kind.TAGS),
}
OPERATORS = {
    Kind.INTEGER: ("eq", "ne", "lt", "lte", "gt", "gte", "between", "in"),
    Kind.CHOICE: ("eq", "ne", "in"),
    Kind.TEXT: ("eq", "ne", "in", "starts_with"),
    Kind.TIME: ("within_days", "before_days"),
    Kind.COUNT: ("eq", "ne", "lt", "lte", "gt", "gte", "between"),
    Kind.TAGS: ("has", "has_any"),
}
REGEX = ("matches", "regex", "like")  # named so the refusal can say why


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: Any
    days: int | None = None  # event counts: the window

    @property
    def window(self) -> int:
        """The days a windowed condition counts back: a count's window, a time's value."""
        return self.days if self.days is not None else self.value


@dataclass(frozen=True)
class All:
    children: tuple["Node", ...]


@dataclass(frozen=True)
class AnyOf:
    children: tuple["Node", ...]


@dataclass(frozen=True)
class Not:
    child: "Node"


Node = Condition | All | AnyOf | Not


class RuleError(ValueError):
    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path, self.message = path, message


def parse(tree: Any, path: str = "rule") -> Node:
    """The rule `tree` as nodes; `RuleError` names the first bad node's path."""
    counted = [0]
    return _parse(tree, path, 1, counted)


def _parse(tree: Any, path: str, depth: int, counted: list[int]) -> Node:
    counted[0] += 1
    if counted[0] > MAX_NODES:
        raise RuleError(path, f"a rule has at most {MAX_NODES} nodes")
    if depth > MAX_DEPTH:
        raise RuleError(path, f"a rule nests at most {MAX_DEPTH} levels")
    if not isinstance(tree, dict):
        raise RuleError(path, "must be an object: all, any, not or a condition")
    keys = set(tree)
    for combinator, make in (("all", All), ("any", AnyOf)):
        if keys == {combinator}:
            children = tree[combinator]
            if not isinstance(children, list) or not children:
                raise RuleError(f"{path}.{combinator}", "must be a non-empty list of rules")
            return make(
                tuple(
                    _parse(child, f"{path}.{combinator}[{i}]", depth + 1, counted)
                    for i, child in enumerate(children)
                )
            )
    if keys == {"not"}:
        return Not(_parse(tree["not"], f"{path}.not", depth + 1, counted))
    if keys in ({"field", "op", "value"}, {"field", "op", "value", "days"}):
        return _condition(tree, path)
    raise RuleError(path, "must hold exactly one of all, any, not, or field, op and value")


def _condition(tree: dict, path: str) -> Condition:
    field, op, value = tree["field"], tree["op"], tree["value"]
    spec = FIELDS.get(field) if isinstance(field, str) else None
    if spec is None:
        raise RuleError(f"{path}.field", f"unknown field; known: {', '.join(FIELDS)}")
    if op in REGEX:
        raise RuleError(f"{path}.op", "regular expressions are not allowed in segment rules")
    if op not in OPERATORS[spec.kind]:
        allowed = ", ".join(OPERATORS[spec.kind])
        raise RuleError(f"{path}.op", f"not an operator of {field} ({spec.kind}): {allowed}")
    days = tree.get("days")
    if spec.kind is Kind.COUNT:
        if type(days) is not int or not 1 <= days <= MAX_DAYS:
            raise RuleError(f"{path}.days", f"a count's window: whole days, 1 to {MAX_DAYS}")
    elif "days" in tree:
        raise RuleError(f"{path}.days", "only event counts take a window of days")
    at = f"{path}.value"
    if op == "has_any":
        if not isinstance(value, list) or not 1 <= len(value) <= MAX_CHOICES:
            raise RuleError(at, f"must be a list of 1 to {MAX_CHOICES} tags")
        return Condition(
            field, op, tuple(_scalar(spec, v, f"{at}[{i}]") for i, v in enumerate(value))
        )
    if op == "in":
        if not isinstance(value, list) or not 1 <= len(value) <= MAX_CHOICES:
            raise RuleError(at, f"must be a list of 1 to {MAX_CHOICES} values")
        return Condition(
            field, op, tuple(_scalar(spec, v, f"{at}[{i}]") for i, v in enumerate(value))
        )
    if op == "between":
        if not isinstance(value, list) or len(value) != 2:
            raise RuleError(at, "must be [low, high]")
        low, high = (_scalar(spec, v, f"{at}[{i}]") for i, v in enumerate(value))
        if low > high:
            raise RuleError(at, "low must not be above high")
        return Condition(field, op, (low, high), days)
    return Condition(field, op, _scalar(spec, value, at), days)


def _scalar(spec: FieldSpec, value: Any, path: str) -> Any:
    if spec.kind is Kind.TIME:
        if type(value) is not int or not 1 <= value <= MAX_DAYS:
            raise RuleError(path, f"must be a whole number of days, 1 to {MAX_DAYS}")
        return value
    if spec.kind is Kind.TAGS:
        if not isinstance(value, str) or not 0 < len(normalise(value)) <= MAX_TAG:
            raise RuleError(path, f"must be a tag of 1 to {MAX_TAG} characters")
        return normalise(value)
    if spec.kind in (Kind.INTEGER, Kind.COUNT):
        if type(value) is not int or abs(value) > 2**53 - 1:
            raise RuleError(path, "must be an integer")
        return value
    if not isinstance(value, str) or not 0 < len(value) <= MAX_TEXT:
        raise RuleError(path, f"must be text of 1 to {MAX_TEXT} characters")
    if spec.kind is Kind.CHOICE and value not in spec.choices:
        raise RuleError(path, f"must be one of {', '.join(spec.choices)}")
    return value


def fields_of(node: Node) -> set[str]:
    """The fields a rule reads."""
    match node:
        case Condition(field=field):
            return {field}
        case Not(child=child):
            return fields_of(child)
        case All(children=children) | AnyOf(children=children):
            return set().union(*(fields_of(child) for child in children))


def windows(node: Node) -> Iterator[Condition]:
    """The rule's conditions on time fields and event counts: those whose truth time alone
    changes."""
    match node:
        case Condition(field=field) if FIELDS[field].kind in (Kind.TIME, Kind.COUNT):
            yield node
        case Condition():
            return
        case Not(child=child):
            yield from windows(child)
        case All(children=children) | AnyOf(children=children):
            for child in children:
                yield from windows(child)


def cutoff(condition: Condition, at: datetime) -> datetime:
    """The oldest moment a window still counts at `at` (exclusive): `at` less N days."""
    return at - timedelta(days=condition.window)


def moments(condition: Condition, user: Mapping[str, Any]) -> tuple[datetime, ...]:
    """The user's moments a windowed condition reads: a count's events, a time field's one."""
    known = user.get(condition.field)
    if known is None:
        return ()
    return tuple(known) if FIELDS[condition.field].kind is Kind.COUNT else (known,)


def counted(condition: Condition, user: Mapping[str, Any], at: datetime) -> int:
    """A count's events inside its window at `at`."""
    edge = cutoff(condition, at)
    return sum(1 for moment in moments(condition, user) if moment > edge)


def flips(node: Node, user: Mapping[str, Any], at: datetime) -> datetime | None:
    """The first moment after `at` at which time alone can change the rule's result for the
    user: the earliest (moment + N days) still ahead among its windows' moments; None if
    none is."""
    ahead = [
        edge
        for condition in windows(node)
        for moment in moments(condition, user)
        if (edge := moment + timedelta(days=condition.window)) > at
    ]
    return min(ahead, default=None)
