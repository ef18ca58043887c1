"""The campaign lifecycle as a pure state machine: draft → scheduled → running → ended, or
cancelled from any state before ended."""

from datetime import datetime
from enum import StrEnum


class CampaignState(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    RUNNING = "running"
    ENDED = "ended"
    CANCELLED = "cancelled"


class IllegalTransition(ValueError):
    """A campaign cannot go from where it is to where it was asked to go."""


ALLOWED: dict[CampaignState, frozenset[CampaignState]] = {
    CampaignState.DRAFT: frozenset({CampaignState.SCHEDULED, CampaignState.CANCELLED}),
    CampaignState.SCHEDULED: frozenset({CampaignState.RUNNING, CampaignState.CANCELLED}),
    CampaignState.RUNNING: frozenset({CampaignState.ENDED, CampaignState.CANCELLED}),
    CampaignState.ENDED: frozenset(),
    CampaignState.CANCELLED: frozenset(),
}
# Campaigns over for good: nothing of theirs is issued any more (coupons, groups, draws).
OVER = frozenset({CampaignState.ENDED, CampaignState.CANCELLED})
# Campaigns that hold their window on the calendar (and so may conflict with a new one).
ON_CALENDAR = frozenset({CampaignState.SCHEDULED, CampaignState.RUNNING})


def check(current: CampaignState, target: CampaignState) -> None:
    if target not in ALLOWED[current]:
        raise IllegalTransition(f"a {current} campaign cannot become {target}")


def due(state: CampaignState, starts_at: datetime, ends_at: datetime, at: datetime):
    """The state time moves a campaign to at `at`, or None: a scheduled campaign runs from
    its start, a running one ends at its end. Drafts and cancelled campaigns stay put."""
    if state == CampaignState.SCHEDULED and at >= starts_at:
        return CampaignState.RUNNING
    if state == CampaignState.RUNNING and at >= ends_at:
        return CampaignState.ENDED
    return None


def path(state: CampaignState, starts_at: datetime, ends_at: datetime, at: datetime):
    """Every state time moves a campaign through by `at`, in order (a scheduled campaign
    whose whole window passed while the scheduler was down runs, then ends)."""
    steps = []
    while (following := due(state, starts_at, ends_at, at)) is not None:
        steps.append(following)
        state = following
    return steps
