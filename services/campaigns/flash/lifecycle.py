"""A flash session's life as pure rules: catalog's hold of its stock decides whether it may be
sold, and it ends once (by time, by an operator's cancel, or at once when refused).

    pending ──(every item held)──→ held ──(ends_at)──→ ended
       │                            └────(cancel)────→ cancelled
       ├──(an item refused)──→ refused   (ended at once: catalog returns the rest)
       ├──(cancel)──→ cancelled
       └──(ends_at, catalog never answered)──→ ended

Each move into refused, cancelled or ended stages `flash.session_ended`: the three are the
session's end, and a session ends once. Refused and cancelled call it off: its reservations
not yet ordered are voided (`VOIDING`); an ended session's run out as they would."""

from enum import StrEnum


class SessionState(StrEnum):
    PENDING = "pending"  # scheduled; catalog has not held every item's stock yet
    HELD = "held"  # catalog holds every item's stock: sellable within its window
    REFUSED = "refused"  # catalog refused an item's stock: never sellable
    CANCELLED = "cancelled"  # an operator called it off
    ENDED = "ended"  # its window closed


class HoldState(StrEnum):
    """Catalog's answer for one item's stock."""

    PENDING = "pending"
    HELD = "held"
    REFUSED = "refused"


# The states each end leaves (named in the guarded UPDATE that takes it).
ENDS_FROM: dict[SessionState, tuple[SessionState, ...]] = {
    SessionState.REFUSED: (SessionState.PENDING,),
    SessionState.CANCELLED: (SessionState.PENDING, SessionState.HELD),
    SessionState.ENDED: (SessionState.PENDING, SessionState.HELD),
}
# Ends that call a session off: its reservations not yet ordered are void (none can be
# ordered; those ordered already go on with their orders).
VOIDING = frozenset({SessionState.REFUSED, SessionState.CANCELLED})
# States a session never leaves: its cached terms need no second look.
FINAL = frozenset({SessionState.REFUSED, SessionState.CANCELLED, SessionState.ENDED})


def after_answers(holds: list[HoldState]) -> SessionState:
    """The state a pending session's items' answers put it in: refused as soon as one item
    is refused, held once every item is held, pending until then."""
    if HoldState.REFUSED in holds:
        return SessionState.REFUSED
    if holds and all(hold == HoldState.HELD for hold in holds):
        return SessionState.HELD
    return SessionState.PENDING


def not_sellable(state: SessionState, session_id: object) -> str | None:
    """Why a session in `state` takes no reservation (a 409's detail), or None."""
    return {
        SessionState.HELD: None,
        SessionState.PENDING: (
            f"Flash session {session_id} is not on sale yet: the catalog has not set its "
            "stock aside."
        ),
        SessionState.REFUSED: (
            f"Flash session {session_id} is not on sale: the catalog could not set its stock aside."
        ),
        SessionState.CANCELLED: f"Flash session {session_id} was cancelled.",
        SessionState.ENDED: f"Flash session {session_id} is not open.",
    }[state]


def refusal(sku_id: object, requested: int, available: int | None) -> str:
    """Catalog's reason for refusing an item, for operators."""
    return (
        f"SKU {sku_id}: catalog could set aside {available or 0} of the {requested} units "
        "asked (0: unknown or not listed)"
    )
