"""The SQL evaluator of segment rules: a rule as a WHERE condition over one row per user with
every field the language knows (`users` joined to what each domain keeps), for previews and
backfills. Builds statements only; the caller runs them."""

from datetime import datetime

from sqlalchemy import String, and_, cast, false, func, not_, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from contracts.users import LifecycleStage, Tier
from services.users.accounts.models import User
from services.users.checkins.models import CheckIn
from services.users.lifecycle.models import LifecycleState
from services.users.membership.models import Membership
from services.users.metrics.models import PaidOrder, UserActivity
from services.users.profiles.models import Profile
from services.users.rfm.models import RfmScore
from services.users.segments.rules import All, AnyOf, Condition, Node, Not, cutoff
from services.users.tags.models import UserTag

# Each field as a column of the row; the defaults are the domains' own (no lifecycle row is
# potential, no membership is regular, no activity is no orders), so that both evaluators
# read the same values from `records`.
COLUMNS: dict[str, ColumnElement] = {
    "profile.gender": cast(Profile.gender, String),
    "profile.birth_year": Profile.birth_year,
    "profile.city": Profile.city,
    "lifecycle.stage": func.coalesce(
        cast(LifecycleState.stage, String), LifecycleStage.POTENTIAL.value
    ),
    "membership.tier": func.coalesce(cast(Membership.tier, String), Tier.REGULAR.value),
    "rfm.r": RfmScore.r,
    "rfm.f": RfmScore.f,
    "rfm.m": RfmScore.m,
    "metrics.paid_orders": func.coalesce(UserActivity.paid_orders, 0),
    "metrics.net_spend": func.coalesce(UserActivity.net_spend, 0),
    "metrics.last_paid_at": UserActivity.last_paid_at,
    "metrics.last_active_at": UserActivity.last_active_at,
    "logins.last_login_at": User.last_login_at,
}


# Each event count as its events: (the user's column, the moment's column).
EVENTS = {
    "events.paid_orders": (PaidOrder.user_id, PaidOrder.paid_at),
    "events.check_ins": (CheckIn.user_id, CheckIn.checked_in_at),
}


def events(field: str, since: datetime, user_ids=None):
    """(user id, moment) of a count's events after `since`, of `user_ids` if given."""
    user, moment = EVENTS[field]
    statement = select(user, moment).where(moment > since)
    if user_ids is not None:
        statement = statement.where(user.in_(user_ids))
    return statement


def tags(user_ids):
    """(user id, tag) of every tag the users hold, of either origin."""
    return select(UserTag.user_id, UserTag.tag).where(UserTag.user_id.in_(user_ids))


def users():
    """One row per user with every field joined in; add `.where(condition(rule))`."""
    return (
        select(User.id)
        .select_from(User)
        .outerjoin(Profile, Profile.user_id == User.id)
        .outerjoin(LifecycleState, LifecycleState.user_id == User.id)
        .outerjoin(Membership, Membership.user_id == User.id)
        .outerjoin(RfmScore, RfmScore.user_id == User.id)
        .outerjoin(UserActivity, UserActivity.user_id == User.id)
    )


def records():
    """`users()` with each field as a column labelled by its name, for the in-memory side."""
    return users().add_columns(*(column.label(name) for name, column in COLUMNS.items()))


def _compare(column: ColumnElement, op: str, value) -> ColumnElement:
    match op:
        case "eq":
            return column == value
        case "ne":
            return column != value
        case "lt":
            return column < value
        case "lte":
            return column <= value
        case "gt":
            return column > value
        case "gte":
            return column >= value
        case "in":
            return column.in_(list(value))
        case "between":
            return column.between(*value)
        case "starts_with":
            # substr, not LIKE: SQLite's LIKE ignores case, and no wildcard needs escaping
            return func.substr(column, 1, len(value)) == value
    raise ValueError(op)


def condition(node: Node, at: datetime) -> ColumnElement:
    """The rule at the moment `at` as a condition that is never NULL (an unknown value makes
    its condition false), so `not` means what the in-memory evaluator means. Time windows are
    bound as the moment they count back to, so the database's date arithmetic is not used."""
    match node:
        case Condition(field=field, op="within_days"):
            column = COLUMNS[field]
            return and_(column.is_not(None), column > cutoff(node, at))
        case Condition(field=field, op="before_days"):
            column = COLUMNS[field]
            return and_(column.is_not(None), column <= cutoff(node, at))
        case Condition(field=field, op="has" | "has_any", value=value):
            wanted = [value] if node.op == "has" else list(value)
            return User.id.in_(select(UserTag.user_id).where(UserTag.tag.in_(wanted)))
        case Condition(field=field, op=op, value=value) if field in EVENTS:
            user, moment = EVENTS[field]
            count = (
                select(func.count())
                .where(user == User.id, moment > cutoff(node, at))
                .scalar_subquery()
            )
            return _compare(count, op, value)  # never NULL: no events count 0
        case Condition(field=field, op=op, value=value):
            column = COLUMNS[field]
            return and_(column.is_not(None), _compare(column, op, value))
        case Not(child=child):
            return not_(condition(child, at))
        case All(children=children):
            return and_(true(), *(condition(child, at) for child in children))
        case AnyOf(children=children):
            return or_(false(), *(condition(child, at) for child in children))
    raise TypeError(node)
