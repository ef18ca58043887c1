"""Recommenders and their offline evaluation, on small data: the metrics on cases worked by
hand, the time split, and the hybrid beating both baselines on a seeded synthetic population."""

import numpy as np
import pytest

from bench.eval_recs import load
from services.content.recommend.data import Dataset, Interaction, top_n
from services.content.recommend.evaluation import Split, evaluate, split_by_time
from services.content.recommend.models import Hybrid, ItemNeighbours, Popularity, TagAffinity
from services.content.recommend.synthetic import population

ITEMS = ["a", "b", "c", "d"]


def _data(*pairs: tuple[str, str]) -> Dataset:
    return Dataset.build([Interaction(u, i, n) for n, (u, i) in enumerate(pairs)], ITEMS)


def test_top_n_orders_by_score_and_leaves_out_what_the_user_had():
    scores = np.array([[0.1, 0.9, 0.5, 0.7]])
    assert top_n(scores, np.array([[False, True, False, False]]), 2).tolist() == [[3, 2]]


class _Fixed:
    """A recommender whose scores are given, to check the metrics by hand."""

    def __init__(self, scores):
        self._scores = np.asarray(scores, dtype=float)

    def scores(self, rows):
        return self._scores[rows]


def test_metrics_match_a_case_worked_by_hand():
    train = _data(("u1", "a"), ("u2", "a"))
    split = Split(train, {0: {1}, 1: {2, 3}})
    # u1 gets [b, c, d]: the hit first; u2 gets [b, c, d]: hits at places 2 and 3.
    model = _Fixed([[0, 3, 2, 1], [0, 3, 2, 1]])
    figures = evaluate(model, split, k=3)
    assert figures.precision == pytest.approx((1 / 3 + 2 / 3) / 2)
    assert figures.recall == pytest.approx((1 + 1) / 2)
    ideal_two = 1 + 1 / np.log2(3)
    u2 = (1 / np.log2(3) + 1 / np.log2(4)) / ideal_two
    assert figures.ndcg == pytest.approx((1.0 + u2) / 2)
    assert figures.coverage == pytest.approx(3 / 4)


def test_the_split_tests_on_the_future_and_only_on_new_items():
    interactions = [
        Interaction("u1", "a", 1),
        Interaction("u1", "b", 2),
        Interaction("u1", "a", 9),  # had before the cut: not a test item
        Interaction("u1", "c", 10),
        Interaction("u2", "d", 11),  # no past: not evaluated
    ]
    split = split_by_time(interactions, ITEMS, {}, train_share=0.5)
    assert split.train.users == ["u1"]
    assert split.future == {0: {2}}


def test_popularity_neighbours_and_tags_score_what_they_should():
    data = _data(("u1", "a"), ("u1", "b"), ("u2", "a"), ("u2", "b"), ("u3", "a"), ("u3", "c"))
    assert Popularity().fit(data).scores(np.array([0]))[0].tolist() == [3, 2, 1, 0]
    neighbours = ItemNeighbours().fit(data).scores(np.array([2]))[0]  # u3 had a and c
    assert neighbours[1] > neighbours[3] == 0  # b goes with a; d with nothing
    tagged = Dataset.build(
        [Interaction("u1", "a", 0)], ITEMS, {"a": frozenset({"布置"}), "c": frozenset({"布置"})}
    )
    tags = TagAffinity().fit(tagged).scores(np.array([0]))[0]
    assert tags[2] > 0 == tags[1] == tags[3]


def test_the_hybrid_beats_both_baselines_on_a_synthetic_population():
    interactions, tags = population(users=300, items=200, tags=15, seed=3)
    split = split_by_time(interactions, sorted(tags), tags)
    pop = evaluate(Popularity().fit(split.train), split)
    knn = evaluate(ItemNeighbours().fit(split.train), split)
    hybrid = evaluate(Hybrid(iterations=8).fit(split.train), split)
    assert hybrid.ndcg > 1.5 * pop.ndcg
    assert hybrid.ndcg > knn.ndcg
    assert hybrid.coverage > 3 * pop.coverage


def test_a_user_without_history_gets_popular_items():
    data = Dataset.build(
        [Interaction("u1", "a", 0), Interaction("u2", "a", 1), Interaction("u2", "b", 2)],
        ITEMS,
        users=["u1", "u2", "new"],
    )
    scores = Hybrid(factors=2, iterations=2).fit(data).scores(np.array([2]))[0]
    assert scores.argmax() == 0


def test_other_data_loads_from_csv(tmp_path):
    data, items = tmp_path / "i.csv", tmp_path / "items.csv"
    data.write_text("user_id,item_id,timestamp\nu1,a,1700000000\nu2,b,2026-01-01T00:00:00+00:00\n")
    items.write_text("item_id,tags\na,搭配|布置\nb,\n")
    interactions, tags = load(data, items)
    assert [(i.user, i.item) for i in interactions] == [("u1", "a"), ("u2", "b")]
    assert interactions[1].timestamp == pytest.approx(1767225600)
    assert tags == {"a": frozenset({"搭配", "布置"}), "b": frozenset()}
