"""The hybrid as feeds serve it: a snapshot trained from the interaction matrix, and one
reader's scores computed at request time from that reader's own latest interactions, so a
new like changes the next feed without a retrain or a restart.

At request time nothing is looked up by user id in the snapshot: the reader's collaborative
factor is folded in (the least-squares step of ALS for one user, against the trained item
factors) and the item-to-item co-occurrence is taken through the trained matrix from the
items in the reader's history, so a user who joined after the training is served the same
way as one who was in it. Pure: arrays in, scores out.
"""

import io
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from uuid import UUID

import numpy as np
from scipy import sparse

from services.content.recommend.data import Dataset
from services.content.recommend.models import Collaborative, scaled

# The hybrid's learned parts as one "people who liked what you liked" signal; the tag
# affinity, popularity and freshness are blended by the feed's ranking (feeds/ranking.py).
PARTS = {"collaborative": 0.6, "neighbours": 0.4}


@dataclass(frozen=True)
class Snapshot:
    """What a training leaves: the items it knew and what it learned of them."""

    items: list[Hashable]  # column -> item id
    column: dict[Hashable, int]  # item id -> column
    item_users: sparse.csr_matrix  # items x users, 1 where the user had the item
    user_items: sparse.csr_matrix  # users x items, the same
    norms: np.ndarray  # sqrt(users per item), 1 for items nobody had
    factors: np.ndarray  # items x f: ALS item factors
    unit_factors: np.ndarray  # the same, each of length 1 (for "because you liked")
    gram: np.ndarray  # f x f: factorsᵀ factors + λI, the part of a fold-in every user shares
    alpha: float
    users: int
    interactions: int
    regularization: float = 0.05

    @classmethod
    def train(
        cls,
        users: Sequence[Hashable],
        items: Sequence[Hashable],
        weights: Sequence[float],
        *,
        factors: int = 64,
        iterations: int = 15,
        regularization: float = 0.05,
        alpha: float = 20.0,
        seed: int = 7,
        threads: int = 1,
    ) -> "Snapshot":
        """Learn from (user, item, weight) triples given as three parallel sequences, with
        `threads` for ALS (one by default: a serving process keeps its other cores)."""
        user_codes, user_ids = _codes(users)
        item_codes, item_ids = _codes(items)
        matrix = sparse.csr_matrix(
            (np.asarray(weights, dtype=np.float32), (user_codes, item_codes)),
            shape=(len(user_ids), len(item_ids)),
        )
        matrix.sum_duplicates()
        dataset = Dataset(user_ids, item_ids, matrix, [frozenset()] * len(item_ids))
        model = Collaborative(
            factors=factors,
            regularization=regularization,
            iterations=iterations,
            alpha=alpha,
            seed=seed,
            threads=threads,
        ).fit(dataset)
        had = (matrix > 0).astype(np.float32).tocsr()
        return cls._derived(
            item_ids,
            had.T.tocsr(),
            model.items.astype(np.float32),
            regularization=regularization,
            alpha=alpha,
            users=len(user_ids),
            interactions=int(matrix.nnz),
        )

    @classmethod
    def _derived(
        cls,
        items: list[Hashable],
        item_users: sparse.csr_matrix,
        factors: np.ndarray,
        *,
        regularization: float,
        alpha: float,
        users: int,
        interactions: int,
    ) -> "Snapshot":
        counts = np.diff(item_users.indptr).astype(np.float32)
        lengths = np.linalg.norm(factors, axis=1, keepdims=True)
        lengths[lengths == 0] = 1.0
        return cls(
            items=items,
            column={item: n for n, item in enumerate(items)},
            item_users=item_users,
            user_items=item_users.T.tocsr(),
            norms=np.sqrt(np.maximum(counts, 1.0)).astype(np.float32),
            factors=factors,
            unit_factors=factors / lengths,
            gram=factors.T @ factors + regularization * np.eye(factors.shape[1], dtype=np.float32),
            alpha=alpha,
            users=users,
            interactions=interactions,
            regularization=regularization,
        )

    def to_bytes(self) -> bytes:
        """The snapshot as one blob (what replicas share; items must be UUIDs): the item
        ids, the items x users matrix and the item factors; the rest is derived again on
        loading, so a loaded snapshot scores as the trained one."""
        out = io.BytesIO()
        np.savez(
            out,
            items=np.frombuffer(b"".join(i.bytes for i in self.items), dtype=np.uint8),
            data=self.item_users.data,
            indices=self.item_users.indices,
            indptr=self.item_users.indptr,
            shape=np.array(self.item_users.shape, dtype=np.int64),
            factors=self.factors,
            scalars=np.array(
                [self.alpha, self.regularization, self.users, self.interactions],
                dtype=np.float64,
            ),
        )
        return out.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> "Snapshot":
        arrays = np.load(io.BytesIO(blob), allow_pickle=False)
        raw = arrays["items"].tobytes()
        items = [UUID(bytes=raw[n : n + 16]) for n in range(0, len(raw), 16)]
        shape = tuple(int(n) for n in arrays["shape"])
        item_users = sparse.csr_matrix(
            (arrays["data"], arrays["indices"], arrays["indptr"]), shape=shape
        )
        alpha, regularization, users, interactions = arrays["scalars"].tolist()
        return cls._derived(
            items,
            item_users,
            arrays["factors"],
            regularization=regularization,
            alpha=alpha,
            users=int(users),
            interactions=int(interactions),
        )

    def fold_in(self, columns: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """The reader's factor: ALS's exact step for one user, confidence alpha x weight
        (as `implicit` computes it), against the trained item factors."""
        y = self.factors[columns]
        confidence = self.alpha * weights
        a = self.gram + (y.T * (confidence - 1.0)) @ y
        return np.linalg.solve(a, y.T @ confidence)

    def scores(self, history: Mapping[Hashable, float]) -> "ReaderScores":
        """Every known item scored for a reader with `history` (item id -> signal weight;
        items the snapshot does not know are ignored)."""
        return self.scores_of(*self.known(history))

    def known(self, history: Mapping[Hashable, float]) -> tuple[np.ndarray, np.ndarray]:
        """The columns and weights of the items of `history` this snapshot knows, in the
        history's order: all that a reader's scores depend on."""
        column = self.column
        known = [(column[i], w) for i, w in history.items() if i in column]
        columns = np.array([c for c, _ in known], dtype=np.int64)
        return columns, np.array([w for _, w in known], dtype=np.float32)

    def scores_of(self, columns: np.ndarray, weights: np.ndarray) -> "ReaderScores":
        """Every item scored for a reader who had the items at `columns` with `weights`."""
        if not len(columns):
            return ReaderScores(np.zeros(len(self.items), dtype=np.float32), columns)
        collaborative = self.factors @ self.fold_in(columns, weights)
        # Σ over the reader's items of cosine co-occurrence, through the users who had them.
        reach = self.item_users[columns].T @ (weights / self.norms[columns])
        neighbours = (self.item_users @ reach) / self.norms
        parts = {"collaborative": collaborative, "neighbours": neighbours}
        blended = sum(PARTS[name] * _scaled(part, columns) for name, part in parts.items())
        return ReaderScores(blended.astype(np.float32), columns)

    def top(self, scores: "ReaderScores", n: int) -> list[tuple[Hashable, float]]:
        """The `n` best-scored items with a score above zero, best first."""
        values = scores.values
        n = min(n, int((values > 0).sum()))
        if n == 0:
            return []
        best = np.argpartition(-values, n - 1)[:n]
        best = best[np.argsort(-values[best], kind="stable")]
        return [(self.items[c], float(values[c])) for c in best]

    def closest(self, items: Sequence[Hashable], history: np.ndarray) -> list[Hashable | None]:
        """For each of `items`, the item at the reader's `history` columns
        (`ReaderScores.history`) most like it by learned factors (what its "because you
        liked" names); None for items the snapshot does not know."""
        known = [self.column.get(item) for item in items]
        rows = [c for c in known if c is not None]
        if not rows or not len(history):
            return [None] * len(items)
        similarity = self.unit_factors[rows] @ self.unit_factors[history].T
        best = iter(history[np.argmax(similarity, axis=1)])
        return [None if c is None else self.items[int(next(best))] for c in known]

    def popular(self, n: int) -> list[Hashable]:
        """The `n` items most users had: candidates for everyone, beside the newest."""
        counts = np.diff(self.item_users.indptr)
        n = min(n, len(counts))
        if n == 0:
            return []
        best = np.argpartition(-counts, n - 1)[:n]
        return [self.items[c] for c in best[np.argsort(-counts[best], kind="stable")]]


@dataclass(frozen=True)
class ReaderScores:
    values: np.ndarray  # per snapshot column, in [0, 1]
    history: np.ndarray  # the columns of the reader's items


def _codes(ids: Sequence[Hashable]) -> tuple[np.ndarray, list[Hashable]]:
    index: dict[Hashable, int] = {}
    codes = np.fromiter((index.setdefault(i, len(index)) for i in ids), np.int32, len(ids))
    return codes, list(index)


def _scaled(values: np.ndarray, had: np.ndarray) -> np.ndarray:
    """To [0, 1] over the items the reader has not had (their own would set the top);
    theirs get 0: what the reader had is never recommended back."""
    others = np.ones(len(values), dtype=bool)
    others[had] = False
    if not others.any():
        return np.zeros_like(values)
    values = values.copy()
    values[had] = values[others].min()
    return scaled(values[None, :])[0]
