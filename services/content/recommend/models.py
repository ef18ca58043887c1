"""The recommenders: popularity, item-to-item neighbours, and the hybrid served in feeds.

Each learns from a `Dataset` (`fit`) and scores every item for some users (`scores`: one
row per user, higher is better); `data.top_n` turns scores into recommendations.
"""

import numpy as np
from scipy import sparse
from threadpoolctl import threadpool_limits

from services.content.recommend.data import Dataset


class Popularity:
    """How many users had each item: the same list for everyone."""

    def fit(self, data: Dataset) -> "Popularity":
        self.counts = np.asarray((data.matrix > 0).sum(axis=0), dtype=np.float32).ravel()
        return self

    def scores(self, rows: np.ndarray) -> np.ndarray:
        return np.tile(self.counts, (len(rows), 1))


class ItemNeighbours:
    """Item-to-item co-occurrence: cosine similarity of items' user sets; a user's score for
    an item is the sum of its similarities to the items the user had."""

    def fit(self, data: Dataset) -> "ItemNeighbours":
        self.had = (data.matrix > 0).astype(np.float32).tocsr()
        co = (self.had.T @ self.had).toarray()
        norms = np.sqrt(np.diag(co))
        norms[norms == 0] = 1.0
        self.similarity = co / norms[:, None] / norms[None, :]
        np.fill_diagonal(self.similarity, 0.0)
        return self

    def scores(self, rows: np.ndarray) -> np.ndarray:
        return np.asarray(self.had[rows] @ self.similarity)


class TagAffinity:
    """How well an item's tags match the tags of what the user had (weighted by signal)."""

    def fit(self, data: Dataset) -> "TagAffinity":
        tags = sorted(set().union(*data.item_tags)) if data.item_tags else []
        index = {t: n for n, t in enumerate(tags)}
        cells = [(i, index[t]) for i, item in enumerate(data.item_tags) for t in item]
        self.item_tags = sparse.csr_matrix(
            (np.ones(len(cells), dtype=np.float32), tuple(np.array(cells, dtype=np.int32).T))
            if cells
            else ([], ([], [])),
            shape=(len(data.items), len(tags)),
        )
        self.matrix = data.matrix
        return self

    def scores(self, rows: np.ndarray) -> np.ndarray:
        profile = np.asarray((self.matrix[rows] @ self.item_tags).todense())
        totals = profile.sum(axis=1, keepdims=True)
        totals[totals == 0] = 1.0
        return np.asarray((profile / totals) @ self.item_tags.T.toarray())


class Collaborative:
    """Matrix factorisation of the implicit-feedback matrix (alternating least squares)."""

    def __init__(self, factors: int = 64, regularization: float = 0.05, iterations: int = 15,
                 alpha: float = 20.0, seed: int = 7, threads: int = 0) -> None:  # fmt: skip
        # threads: 0 is every core (offline); a serving replica leaves cores to its requests.
        self.options = dict(
            factors=factors, regularization=regularization, iterations=iterations, alpha=alpha,
            random_state=seed, num_threads=threads,
        )  # fmt: skip

    def fit(self, data: Dataset) -> "Collaborative":
        from implicit.als import AlternatingLeastSquares

        # One BLAS thread: implicit runs its own threads, and BLAS's would fight them.
        with threadpool_limits(1, "blas"):
            model = AlternatingLeastSquares(**self.options, calculate_training_loss=False)
            model.fit(data.matrix, show_progress=False)
        self.users, self.items = np.asarray(model.user_factors), np.asarray(model.item_factors)
        return self

    def scores(self, rows: np.ndarray) -> np.ndarray:
        return self.users[rows] @ self.items.T


def scaled(scores: np.ndarray) -> np.ndarray:
    """Each row to [0, 1], so components of different units can be blended."""
    low = scores.min(axis=1, keepdims=True)
    span = scores.max(axis=1, keepdims=True) - low
    span[span == 0] = 1.0
    return (scores - low) / span


class Hybrid:
    """Collaborative signal, item neighbours, tag affinity and popularity, blended per user
    after scaling each to [0, 1]; users without history get popularity alone."""

    WEIGHTS = {"collaborative": 0.45, "neighbours": 0.3, "tags": 0.15, "popularity": 0.1}

    def __init__(self, **collaborative) -> None:
        self.parts = {
            "collaborative": Collaborative(**collaborative),
            "neighbours": ItemNeighbours(),
            "tags": TagAffinity(),
            "popularity": Popularity(),
        }

    def fit(self, data: Dataset) -> "Hybrid":
        for part in self.parts.values():
            part.fit(data)
        self.history = np.asarray(data.matrix.getnnz(axis=1)).ravel()
        return self

    def scores(self, rows: np.ndarray) -> np.ndarray:
        blended = sum(
            self.WEIGHTS[name] * scaled(part.scores(rows)) for name, part in self.parts.items()
        )
        cold = self.history[rows] == 0
        if cold.any():
            blended[cold] = scaled(self.parts["popularity"].scores(rows[cold]))
        return blended
