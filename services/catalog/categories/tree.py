"""The category tree's rules, without I/O: materialized paths, moves that make no cycle, roles.

Each category keeps its path, the ids of its ancestors and itself (`/a/b/c/`), so a subtree
is one prefix match and a move rewrites the prefix of the moved subtree only.
"""

from uuid import UUID

from contracts.catalog import CategoryRole

MAX_DEPTH = 6  # front, department, category, subcategory...: deeper trees are mistakes


ROLE_LABELS = {
    CategoryRole.CORE: "核心",
    CategoryRole.ADVANTAGE: "优势",
    CategoryRole.POTENTIAL: "潜力",
    CategoryRole.TO_ELIMINATE: "淘汰",
}


class TreeError(ValueError):
    """A change that would break the tree; `field` is the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def path_of(category_id: UUID, parent_path: str | None) -> str:
    """The path of a category under a parent of `parent_path` (None: a root)."""
    path = f"{parent_path or '/'}{category_id.hex}/"
    if depth(path) > MAX_DEPTH:
        raise TreeError("parent_id", f"the tree is at most {MAX_DEPTH} levels deep")
    return path


def depth(path: str) -> int:
    return path.strip("/").count("/") + 1


def is_within(path: str, ancestor_path: str) -> bool:
    """Whether the category at `path` is `ancestor_path`'s category or below it."""
    return path.startswith(ancestor_path)


def moved_path(path: str, new_parent_path: str | None, subtree_height: int) -> str:
    """The new path of the category at `path` moved under `new_parent_path` (None: to the
    root). `subtree_height` is the number of levels from it to its deepest descendant (1 for a
    leaf), so the whole subtree must still fit the depth limit."""
    if new_parent_path is not None and is_within(new_parent_path, path):
        raise TreeError("parent_id", "a category cannot move under itself or its descendants")
    category_id = UUID(hex=path.strip("/").rsplit("/", 1)[-1])
    new_path = path_of(category_id, new_parent_path)
    if depth(new_path) + subtree_height - 1 > MAX_DEPTH:
        raise TreeError("parent_id", f"the tree is at most {MAX_DEPTH} levels deep")
    return new_path
