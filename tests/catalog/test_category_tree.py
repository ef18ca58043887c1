"""The category tree's pure rules: paths, depth, moves that would make a cycle."""

import pytest

from chassis.ids import new_id
from services.catalog.categories import tree


def _chain(levels: int) -> list[str]:
    paths, parent = [], None
    for _ in range(levels):
        parent = tree.path_of(new_id(), parent)
        paths.append(parent)
    return paths


def test_a_path_holds_the_ancestors_then_itself():
    root, child, grandchild = _chain(3)
    assert child.startswith(root)
    assert grandchild.startswith(child)
    assert [tree.depth(p) for p in (root, child, grandchild)] == [1, 2, 3]
    assert tree.is_within(grandchild, root)
    assert not tree.is_within(root, child)


def test_a_subtree_moves_under_another_branch():
    root, child, _ = _chain(3)
    other = tree.path_of(new_id(), None)
    moved = tree.moved_path(child, other, subtree_height=2)
    assert moved.startswith(other)
    assert moved.endswith(child.strip("/").rsplit("/", 1)[-1] + "/")
    assert tree.depth(moved) == 2
    assert tree.moved_path(child, None, subtree_height=2) == child.removeprefix(root[:-1])


@pytest.mark.parametrize("under", [0, 1, 2])
def test_moving_under_itself_or_a_descendant_is_refused(under):
    paths = _chain(3)
    with pytest.raises(tree.TreeError) as refused:
        tree.moved_path(paths[0], paths[under], subtree_height=3)
    assert refused.value.field == "parent_id"


def test_the_tree_has_a_depth_limit_for_the_whole_moved_subtree():
    deep = _chain(tree.MAX_DEPTH)
    with pytest.raises(tree.TreeError):
        tree.path_of(new_id(), deep[-1])
    two_levels = _chain(2)
    # Under a parent at depth MAX_DEPTH - 1, a subtree two levels high would overflow.
    with pytest.raises(tree.TreeError):
        tree.moved_path(two_levels[0], deep[-2], subtree_height=2)
    assert tree.depth(tree.moved_path(two_levels[1], deep[-2], subtree_height=1)) == tree.MAX_DEPTH


def test_every_role_has_its_operators_name():
    labels = {tree.ROLE_LABELS[role] for role in tree.CategoryRole}
    assert labels == {"核心", "优势", "潜力", "淘汰"}
