"""The article workflow: the states an article passes through, and which moves are allowed."""

from enum import StrEnum

from chassis.http.problems import Conflict


class ArticleState(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


# Moderation (in review, rejected) and archiving become new states and edges here.
ALLOWED: dict[ArticleState, frozenset[ArticleState]] = {
    ArticleState.DRAFT: frozenset({ArticleState.PUBLISHED}),
    ArticleState.PUBLISHED: frozenset(),
}


class IllegalTransition(Conflict):
    slug = "illegal-transition"


def transition(current: ArticleState, target: ArticleState) -> ArticleState:
    """The state after moving from `current` to `target`; a 409 if the workflow forbids it."""
    if target not in ALLOWED[current]:
        raise IllegalTransition(f"An article that is {current} cannot become {target}.")
    return target
