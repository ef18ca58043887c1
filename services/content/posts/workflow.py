"""The editorial workflow of a post: its states, and which moves between them are allowed."""

from enum import StrEnum

from chassis.http.problems import Conflict


class PostState(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    SCHEDULED = "scheduled"  # approved, waiting for its publish time
    PUBLISHED = "published"
    ARCHIVED = "archived"


ALLOWED: dict[PostState, frozenset[PostState]] = {
    PostState.DRAFT: frozenset({PostState.IN_REVIEW}),
    # A moderator approves (now or for later) or sends it back to its author with a reason.
    PostState.IN_REVIEW: frozenset({PostState.PUBLISHED, PostState.SCHEDULED, PostState.DRAFT}),
    PostState.SCHEDULED: frozenset({PostState.PUBLISHED, PostState.ARCHIVED}),
    PostState.PUBLISHED: frozenset({PostState.ARCHIVED}),
    PostState.ARCHIVED: frozenset(),
}


class IllegalTransition(Conflict):
    slug = "illegal-transition"


def transition(current: PostState, target: PostState) -> PostState:
    """The state after moving from `current` to `target`; a 409 if the workflow forbids it."""
    if target not in ALLOWED[current]:
        raise IllegalTransition(f"A post that is {current} cannot become {target}.")
    return target
