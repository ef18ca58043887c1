"""The listing review's state machine and four-eyes rule, without I/O."""

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from chassis.ids import new_id
from services.catalog.products.listing import (
    MOVES,
    IllegalTransition,
    ListingAction,
    ListingState,
    OwnSubmission,
    ScheduledMove,
    check_plan,
    check_reviewer,
    check_sellable,
    move,
)

LEGAL = {
    (ListingState.DRAFT, ListingAction.SUBMIT): ListingState.IN_REVIEW,
    (ListingState.IN_REVIEW, ListingAction.APPROVE): ListingState.LISTED,
    (ListingState.IN_REVIEW, ListingAction.REJECT): ListingState.DRAFT,
    (ListingState.LISTED, ListingAction.DELIST): ListingState.DELISTED,
    (ListingState.DELISTED, ListingAction.RELIST): ListingState.LISTED,
}


@pytest.mark.parametrize(("state", "action"), list(itertools.product(ListingState, ListingAction)))
def test_every_state_and_action(state, action):
    if (state, action) in LEGAL:
        assert move(state, action) == (state, LEGAL[state, action])
    else:
        with pytest.raises(IllegalTransition) as refused:
            move(state, action)
        assert refused.value.status == 409


def test_the_review_is_the_documented_path():
    assert {action: MOVES[action][1] for action in ListingAction} == {
        action: target for (_, action), target in LEGAL.items()
    }


def test_four_eyes():
    submitter, reviewer = new_id(), new_id()
    check_reviewer(submitter, reviewer)
    with pytest.raises(OwnSubmission) as refused:
        check_reviewer(submitter, submitter)
    assert refused.value.status == 403


def test_a_product_without_skus_cannot_be_submitted():
    check_sellable(1)
    with pytest.raises(IllegalTransition):
        check_sellable(0)


# --- the timeline of scheduled moves ---------------------------------------------------------

T0 = datetime(2026, 12, 1, 12, tzinfo=UTC)
LIST, DELIST = ScheduledMove.LIST, ScheduledMove.DELIST


def _at(hours: int, what: ScheduledMove):
    return (T0 + timedelta(hours=hours), new_id(), what)


@pytest.mark.parametrize(
    ("current", "pending", "new"),
    [
        (ListingState.LISTED, [], (1, DELIST)),
        (ListingState.DELISTED, [], (1, LIST)),
        (ListingState.LISTED, [(1, DELIST)], (2, LIST)),  # off tonight, back tomorrow
        (ListingState.LISTED, [(2, LIST)], (1, DELIST)),  # put before the one it enables
        (ListingState.DELISTED, [(1, LIST), (3, LIST)], (2, DELIST)),  # between two
    ],
)
def test_a_schedule_the_timeline_allows_is_accepted(current, pending, new):
    check_plan(current, [_at(*p) for p in pending], _at(*new))


@pytest.mark.parametrize(
    ("current", "pending", "new", "names"),
    [
        (ListingState.DELISTED, [], (1, DELIST), "this schedule"),
        (ListingState.LISTED, [], (1, LIST), "this schedule"),
        (ListingState.DRAFT, [], (1, LIST), "this schedule"),  # a review lists it, not a clock
        (ListingState.IN_REVIEW, [], (1, DELIST), "this schedule"),
        (ListingState.LISTED, [(1, DELIST)], (2, DELIST), "this schedule"),
        # Before a pending one, it would break that one.
        (ListingState.LISTED, [(2, DELIST)], (1, DELIST), r": schedule [0-9a-f]{8}-"),
    ],
)
def test_a_schedule_the_timeline_forbids_is_a_conflict(current, pending, new, names):
    with pytest.raises(IllegalTransition, match=names):
        check_plan(current, [_at(*p) for p in pending], _at(*new))
