"""Interactions as the user x item matrix recommenders learn from."""

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse


@dataclass(frozen=True)
class Interaction:
    user: Hashable
    item: Hashable
    timestamp: float
    weight: float = 1.0  # how strong the signal is (a view 1, a favourite more)


@dataclass
class Dataset:
    """Interactions indexed: rows are users, columns items (repeats add up)."""

    users: list[Hashable]
    items: list[Hashable]
    matrix: sparse.csr_matrix  # users x items, float32
    item_tags: list[frozenset[str]]

    @classmethod
    def build(
        cls,
        interactions: Iterable[Interaction],
        items: Sequence[Hashable],
        item_tags: dict[Hashable, frozenset[str]] | None = None,
        users: Sequence[Hashable] | None = None,
    ) -> "Dataset":
        interactions = list(interactions)
        users = (
            list(users) if users is not None else list(dict.fromkeys(i.user for i in interactions))
        )
        user_index = {u: n for n, u in enumerate(users)}
        item_index = {it: n for n, it in enumerate(items)}
        known = [i for i in interactions if i.user in user_index and i.item in item_index]
        matrix = sparse.csr_matrix(
            (
                np.array([i.weight for i in known], dtype=np.float32),
                (
                    np.array([user_index[i.user] for i in known], dtype=np.int32),
                    np.array([item_index[i.item] for i in known], dtype=np.int32),
                ),
            ),
            shape=(len(users), len(items)),
        )
        matrix.sum_duplicates()
        tags = item_tags or {}
        return cls(list(users), list(items), matrix, [tags.get(it, frozenset()) for it in items])


def top_n(scores: np.ndarray, exclude: np.ndarray, n: int) -> np.ndarray:
    """Column indices of the `n` best scores per row, leaving out `exclude` (a boolean mask
    of the same shape: what the user has already had)."""
    scores = np.where(exclude, -np.inf, scores)
    n = min(n, scores.shape[1])
    best = np.argpartition(-scores, n - 1, axis=1)[:, :n]
    order = np.take_along_axis(scores, best, axis=1).argsort(axis=1)[:, ::-1]
    return np.take_along_axis(best, order, axis=1)
