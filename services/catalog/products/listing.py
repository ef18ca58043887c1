"""The listing review, without I/O: the states a product passes through, the moves between
them (draft → in_review → listed → delisted → listed; a rejected review goes back to draft),
and the four-eyes rule of approval."""

from enum import StrEnum
from uuid import UUID

from chassis.http.problems import Conflict, Forbidden


class ListingState(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    LISTED = "listed"
    DELISTED = "delisted"


class ListingAction(StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    DELIST = "delist"
    RELIST = "relist"


MOVES: dict[ListingAction, tuple[ListingState, ListingState]] = {
    ListingAction.SUBMIT: (ListingState.DRAFT, ListingState.IN_REVIEW),
    ListingAction.APPROVE: (ListingState.IN_REVIEW, ListingState.LISTED),
    ListingAction.REJECT: (ListingState.IN_REVIEW, ListingState.DRAFT),
    ListingAction.DELIST: (ListingState.LISTED, ListingState.DELISTED),
    ListingAction.RELIST: (ListingState.DELISTED, ListingState.LISTED),
}


class IllegalTransition(Conflict):
    slug = "illegal-transition"


class OwnSubmission(Forbidden):
    slug = "four-eyes"


def move(current: ListingState, action: ListingAction) -> tuple[ListingState, ListingState]:
    """The (from, to) states of `action` taken on a product in `current`; a 409 if the review
    does not allow it there."""
    leaves, reaches = MOVES[action]
    if current != leaves:
        raise IllegalTransition(f"A product that is {current} cannot {action} (only {leaves}).")
    return leaves, reaches


def check_reviewer(submitted_by: UUID | None, reviewer: UUID) -> None:
    """Four eyes: whoever submitted a product for review may not also approve it."""
    if submitted_by == reviewer:
        raise OwnSubmission("The operator who submitted a product may not approve it.")


def check_sellable(sku_count: int) -> None:
    if sku_count == 0:
        raise IllegalTransition("A product without SKUs has nothing to sell: add SKUs first.")
