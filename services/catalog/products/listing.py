"""The listing review, without I/O: the states a product passes through, the moves between
them (draft → in_review → listed → delisted → listed; a rejected review goes back to draft),
the four-eyes rule of approval, and which scheduled moves a product's timeline allows."""

from datetime import datetime
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


# --- scheduled listing and delisting -------------------------------------------------------


class ScheduledMove(StrEnum):
    """What a schedule does at its time: put a delisted product on sale, or take a listed one
    off. A new product is listed by its approval; one approved ahead of its launch is delisted
    and scheduled to list."""

    LIST = "list"
    DELIST = "delist"


SCHEDULED: dict[ScheduledMove, ListingAction] = {
    ScheduledMove.LIST: ListingAction.RELIST,
    ScheduledMove.DELIST: ListingAction.DELIST,
}


class ScheduleState(StrEnum):
    PENDING = "pending"  # waiting for its time
    DONE = "done"  # the scheduler moved the product
    SKIPPED = "skipped"  # at its time the product was not in the state it moves from
    CANCELLED = "cancelled"  # an operator cancelled it first


def check_plan(
    current: ListingState,
    pending: list[tuple[datetime, UUID, ScheduledMove]],
    new: tuple[datetime, UUID, ScheduledMove],
) -> None:
    """A new schedule is accepted if, taken in time order with those still pending, every
    move finds the product in the state it leaves (delist at 20:00, list at 08:00 the next
    day: yes; delist twice: no); a 409 naming the first that would not."""
    state = current
    for at, schedule_id, scheduled in sorted([*pending, new]):
        leaves, reaches = MOVES[SCHEDULED[scheduled]]
        if state != leaves:
            which = "this schedule" if schedule_id == new[1] else f"schedule {schedule_id}"
            raise IllegalTransition(
                f"At {at.isoformat()} the product would be {state}: {which} can {scheduled} "
                f"only a product that is {leaves}."
            )
        state = reaches
