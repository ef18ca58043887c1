"""The broadcast of a live session: scheduled, then live, then ended (with its replay)."""

from enum import StrEnum

from services.content.posts.workflow import IllegalTransition


class LiveState(StrEnum):
    SCHEDULED = "scheduled"
    LIVE = "live"
    ENDED = "ended"


ALLOWED: dict[LiveState, frozenset[LiveState]] = {
    LiveState.SCHEDULED: frozenset({LiveState.LIVE}),
    LiveState.LIVE: frozenset({LiveState.ENDED}),
    LiveState.ENDED: frozenset(),
}


def transition(current: LiveState, target: LiveState) -> LiveState:
    """The broadcast state after moving to `target`; a 409 if a broadcast cannot do that."""
    if target not in ALLOWED[current]:
        raise IllegalTransition(f"A live session that is {current} cannot become {target}.")
    return target
