"""The in-memory evaluator of segment rules: a rule applied to one user's known values (a
mapping from field to value, None where unknown) at a moment (time windows count back from
it). No I/O."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from services.users.segments.rules import (
    FIELDS,
    All,
    AnyOf,
    Condition,
    Kind,
    Node,
    Not,
    counted,
    cutoff,
)

COMPARE = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "in": lambda a, b: a in b,
    "between": lambda a, b: b[0] <= a <= b[1],
    "starts_with": lambda a, b: a.startswith(b),
    "has": lambda a, b: b in a,
    "has_any": lambda a, b: not a.isdisjoint(b),
}


def seen(node: Condition, user: Mapping[str, Any], at: datetime) -> Any:
    """The value a condition compares: a count's events in its window (0 if none), the tags
    held (none: the empty set), a field's value."""
    kind = FIELDS[node.field].kind
    if kind is Kind.COUNT:
        return counted(node, user, at)
    if kind is Kind.TAGS:
        return frozenset(user.get(node.field) or ())
    return user.get(node.field)


def matches(node: Node, user: Mapping[str, Any], at: datetime) -> bool:
    match node:
        case Condition(field=field, op="within_days"):
            known = user.get(field)
            return known is not None and known > cutoff(node, at)
        case Condition(field=field, op="before_days"):
            known = user.get(field)
            return known is not None and known <= cutoff(node, at)
        case Condition(op=op, value=value):
            known = seen(node, user, at)
            return known is not None and COMPARE[op](known, value)
        case Not(child=child):
            return not matches(child, user, at)
        case All(children=children):
            return all(matches(child, user, at) for child in children)
        case AnyOf(children=children):
            return any(matches(child, user, at) for child in children)


def explain(node: Node, user: Mapping[str, Any], at: datetime) -> dict[str, Any]:
    """Why the rule holds or not for the user: the tree with each node's result, and for
    each condition the value seen (None: the user has none)."""
    match node:
        case Condition(field=field, op=op, value=value):
            known = seen(node, user, at)
            if isinstance(known, datetime):
                known = known.isoformat()
            elif isinstance(known, frozenset):
                known = sorted(known)
            explained = {
                "field": field,
                "op": op,
                "value": list(value) if isinstance(value, tuple) else value,
                "seen": known,
                "matches": matches(node, user, at),
            }
            if node.days is not None:
                explained["days"] = node.days
            return explained
        case Not(child=child):
            return {"not": explain(child, user, at), "matches": matches(node, user, at)}
        case All(children=children):
            return {
                "all": [explain(c, user, at) for c in children],
                "matches": matches(node, user, at),
            }
        case AnyOf(children=children):
            return {
                "any": [explain(c, user, at) for c in children],
                "matches": matches(node, user, at),
            }
