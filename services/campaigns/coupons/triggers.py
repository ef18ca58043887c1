"""Which events give coupons on their own, and whether one meets a grant rule's conditions.

A rule's conditions are sets of values (empty: any value); an occasion meets the rule when
it is of the rule's trigger and each non-empty set holds the occasion's value."""

from dataclasses import dataclass
from enum import StrEnum


class GrantTrigger(StrEnum):
    """An event upon which a rule gives the user its template's coupon, unclaimed."""

    REGISTRATION = "registration"  # users.user.registered: the welcome perk of a new user
    # users.lifecycle.changed: the first paid order (to `new`, reason `first_order`), a user
    # turning dormant (a win-back coupon), one coming back (reason `reactivated`)
    LIFECYCLE = "lifecycle"
    TIER = "tier"  # users.tier.changed: a membership tier reached
    # users.birthday.reached: the customer's birthday, once a year (once per rule per year)
    BIRTHDAY = "birthday"


# The conditions each trigger takes (a rule naming another's is refused).
CONDITIONS: dict[GrantTrigger, frozenset[str]] = {
    GrantTrigger.REGISTRATION: frozenset(),
    GrantTrigger.LIFECYCLE: frozenset({"to_stages", "from_stages", "reasons"}),
    GrantTrigger.TIER: frozenset({"to_tiers"}),
    GrantTrigger.BIRTHDAY: frozenset(),
}
# The condition without which a rule of the trigger would fire on every such event.
REQUIRED: dict[GrantTrigger, str | None] = {
    GrantTrigger.REGISTRATION: None,
    GrantTrigger.LIFECYCLE: "to_stages",
    GrantTrigger.TIER: "to_tiers",
    GrantTrigger.BIRTHDAY: None,
}


@dataclass(frozen=True)
class Conditions:
    to_stages: frozenset[str] = frozenset()
    from_stages: frozenset[str] = frozenset()
    reasons: frozenset[str] = frozenset()
    to_tiers: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Occasion:
    """What happened to one user, as a rule's conditions read it."""

    trigger: GrantTrigger
    to_stage: str | None = None
    from_stage: str | None = None
    reason: str | None = None
    to_tier: str | None = None
    # The year a yearly occasion (a birthday) is of: a rule gives once per user per year.
    # None: once per user ever.
    year: int | None = None


def meets(occasion: Occasion, trigger: GrantTrigger, conditions: Conditions) -> bool:
    if occasion.trigger != trigger:
        return False
    pairs = (
        (conditions.to_stages, occasion.to_stage),
        (conditions.from_stages, occasion.from_stage),
        (conditions.reasons, occasion.reason),
        (conditions.to_tiers, occasion.to_tier),
    )
    return all(not allowed or value in allowed for allowed, value in pairs)
