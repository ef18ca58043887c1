"""The post workflow and the live broadcast: every pair of states, allowed or a 409."""

import itertools

import pytest

from services.content.posts import live, workflow
from services.content.posts.live import LiveState
from services.content.posts.workflow import IllegalTransition, PostState

POST_MOVES = {
    (PostState.DRAFT, PostState.IN_REVIEW),
    (PostState.IN_REVIEW, PostState.PUBLISHED),
    (PostState.IN_REVIEW, PostState.SCHEDULED),
    (PostState.IN_REVIEW, PostState.DRAFT),
    (PostState.SCHEDULED, PostState.PUBLISHED),
    (PostState.SCHEDULED, PostState.ARCHIVED),
    (PostState.PUBLISHED, PostState.ARCHIVED),
}
LIVE_MOVES = {(LiveState.SCHEDULED, LiveState.LIVE), (LiveState.LIVE, LiveState.ENDED)}
CASES = [
    (workflow.transition, pair, pair in POST_MOVES)
    for pair in itertools.product(PostState, repeat=2)
] + [(live.transition, pair, pair in LIVE_MOVES) for pair in itertools.product(LiveState, repeat=2)]


@pytest.mark.parametrize(("move", "pair", "allowed"), CASES)
def test_each_move_is_allowed_or_a_409(move, pair, allowed):
    current, target = pair
    if allowed:
        assert move(current, target) is target
        return
    with pytest.raises(IllegalTransition) as raised:
        move(current, target)
    assert raised.value.status == 409
    assert str(current) in raised.value.detail


def test_nothing_leaves_the_archive_and_nothing_skips_review():
    assert workflow.ALLOWED[PostState.ARCHIVED] == frozenset()
    reach_published = {
        s for s, targets in workflow.ALLOWED.items() if PostState.PUBLISHED in targets
    }
    assert reach_published == {PostState.IN_REVIEW, PostState.SCHEDULED}
