"""The article workflow: every pair of states, allowed or a 409."""

import itertools

import pytest

from services.content.workflow import ArticleState, IllegalTransition, transition

ALLOWED = {(ArticleState.DRAFT, ArticleState.PUBLISHED)}
PAIRS = list(itertools.product(ArticleState, repeat=2))


@pytest.mark.parametrize(("current", "target"), [p for p in PAIRS if p in ALLOWED])
def test_an_allowed_move_reaches_its_target(current, target):
    assert transition(current, target) is target


@pytest.mark.parametrize(("current", "target"), [p for p in PAIRS if p not in ALLOWED])
def test_any_other_move_is_a_409(current, target):
    with pytest.raises(IllegalTransition) as raised:
        transition(current, target)
    assert raised.value.status == 409
    assert str(current) in raised.value.detail
