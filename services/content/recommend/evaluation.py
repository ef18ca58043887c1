"""Offline evaluation: split interactions by time, train on the past, score the top 10 of
each user against what they did next.

Metrics at k (10): precision (hits / k), recall (hits / the user's future items), NDCG
(discounted gain of the hits over the best possible), averaged over users who have both a
past and a future; catalogue coverage: the share of items recommended to anyone.
"""

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np

from services.content.recommend.data import Dataset, Interaction, top_n


@dataclass(frozen=True)
class Split:
    train: Dataset
    future: dict[int, set[int]]  # user row -> item columns they had after the cut


def split_by_time(
    interactions: Sequence[Interaction],
    items: Sequence[Hashable],
    item_tags: dict[Hashable, frozenset[str]],
    *,
    train_share: float = 0.8,
) -> Split:
    """Train on everything before the `train_share` quantile of time, test on the rest
    (only items the user had not had before the cut: a recommender shows new things)."""
    cut = float(np.quantile([i.timestamp for i in interactions], train_share))
    past = [i for i in interactions if i.timestamp < cut]
    train = Dataset.build(past, items, item_tags)
    user_row = {u: n for n, u in enumerate(train.users)}
    item_col = {it: n for n, it in enumerate(train.items)}
    had = train.matrix
    future: dict[int, set[int]] = {}
    for i in interactions:
        if i.timestamp >= cut and i.user in user_row and i.item in item_col:
            row, col = user_row[i.user], item_col[i.item]
            if had[row, col] == 0:
                future.setdefault(row, set()).add(col)
    return Split(train, future)


@dataclass(frozen=True)
class Figures:
    precision: float
    recall: float
    ndcg: float
    coverage: float
    users: int

    def as_dict(self) -> dict:
        return {k: v if isinstance(v, int) else round(float(v), 4) for k, v in vars(self).items()}


def evaluate(model, split: Split, k: int = 10, batch: int = 512) -> Figures:
    rows = np.array(sorted(split.future), dtype=np.int64)
    had = split.train.matrix
    recommended: set[int] = set()
    precision = recall = ndcg = 0.0
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        exclude = had[chunk].toarray() > 0
        best = top_n(model.scores(chunk), exclude, k)
        for row, picks in zip(chunk, best, strict=True):
            relevant = split.future[int(row)]
            hits = np.array([p in relevant for p in picks], dtype=np.float64)
            recommended.update(int(p) for p in picks)
            precision += hits.sum() / k
            recall += hits.sum() / len(relevant)
            ideal = discounts[: min(len(relevant), k)].sum()
            ndcg += float(hits @ discounts[: len(hits)]) / ideal
    users = len(rows) or 1
    return Figures(
        precision=float(precision / users),
        recall=float(recall / users),
        ndcg=float(ndcg / users),
        coverage=len(recommended) / max(len(split.train.items), 1),
        users=len(rows),
    )
