"""The listing review's state machine and four-eyes rule, without I/O."""

import itertools

import pytest

from chassis.ids import new_id
from services.catalog.products.listing import (
    MOVES,
    IllegalTransition,
    ListingAction,
    ListingState,
    OwnSubmission,
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
