"""The recommender as served, pure: the fold-in from a reader's own items, co-occurrence
through the trained matrix, items the reader had left out, "because you liked" naming the
reader's closest item, the most-had items, and each reader's picks kept while their history
is the same."""

from uuid import uuid4

import numpy as np
import pytest

from services.content.feeds.models import RecommenderVersion
from services.content.feeds.recommender import Recommender
from services.content.recommend.segments import SegmentFavourites
from services.content.recommend.serving import Snapshot
from services.content.settings import Settings


@pytest.fixture(scope="module")
def two_crowds() -> Snapshot:
    """Forty users who had rooms r0..r5, forty who had outfits o0..o5, each five of six:
    two tastes, learned as two factors (with more, ALS's spare factors fit noise, and which
    item a few of them place nearer the other crowd changes with the numeric libraries)."""
    rng = np.random.default_rng(3)
    users, items = [], []
    for crowd in ("r", "o"):
        for n in range(40):
            for item in rng.choice(6, size=5, replace=False):
                users.append(f"{crowd}{n}")
                items.append(f"{crowd}{item}")
    return Snapshot.train(users, items, [1.0] * len(users), factors=2, iterations=10, seed=1)


def test_a_reader_of_rooms_is_recommended_the_other_rooms_first(two_crowds):
    scores = two_crowds.scores({"r0": 3.0, "r1": 1.0})
    top = [item for item, _ in two_crowds.top(scores, 6)]
    assert sorted(top[:4]) == ["r2", "r3", "r4", "r5"]
    assert "r0" not in top
    assert "r1" not in top
    assert all(0 < score <= 1 for _, score in two_crowds.top(scores, 10))


def test_a_new_interaction_changes_the_scores_with_no_retrain(two_crowds):
    rooms = two_crowds.scores({"r0": 1.0})
    both = two_crowds.scores({"r0": 1.0, "o0": 4.0, "o1": 4.0})
    assert two_crowds.top(rooms, 1)[0][0].startswith("r")
    assert two_crowds.top(both, 1)[0][0].startswith("o")


def test_a_reader_the_snapshot_does_not_know_anything_of_gets_nothing(two_crowds):
    scores = two_crowds.scores({"new-post": 3.0})
    assert two_crowds.top(scores, 10) == []
    assert two_crowds.closest(["r1"], scores.history) == [None]


def test_the_fold_in_solves_the_least_squares_step_of_als(two_crowds):
    columns = np.array([two_crowds.column["r0"], two_crowds.column["r1"]])
    weights = np.array([1.0, 2.0], dtype=np.float32)
    factor = two_crowds.fold_in(columns, weights)
    y, c = two_crowds.factors, np.zeros(len(two_crowds.items), dtype=np.float32)
    c[columns] = two_crowds.alpha * weights
    p = (c > 0).astype(np.float32)
    # The gradient of Σ c_i (p_i - y_i·u)² + λ|u|² (confidence 1 where c is 0) is zero.
    confidence = np.where(c > 0, c, 1.0)
    regularization = two_crowds.gram - y.T @ y
    gradient = y.T @ (confidence * (y @ factor - p)) + regularization @ factor
    assert np.abs(gradient).max() < 1e-3


def test_because_you_liked_names_the_readers_item_of_the_same_kind(two_crowds):
    scores = two_crowds.scores({"r0": 1.0, "o0": 1.0})
    named = [f"r{n}" for n in range(1, 6)] + [f"o{n}" for n in range(1, 6)] + ["unknown"]
    assert two_crowds.closest(named, scores.history) == ["r0"] * 5 + ["o0"] * 5 + [None]


def test_the_most_had_items_come_first():
    had = [("a", "z"), ("a", "x"), ("b", "x"), ("c", "x"), ("a", "y"), ("b", "y"), ("a", "x")]
    snapshot = Snapshot.train(*zip(*had, strict=True), [1.0] * len(had), factors=2)
    assert snapshot.popular(2) == ["x", "y"]
    assert snapshot.popular(10) == ["x", "y", "z"]


def test_a_stored_snapshot_loads_scoring_as_the_trained_one():
    rng = np.random.default_rng(5)
    posts, people = [uuid4() for _ in range(30)], [uuid4() for _ in range(20)]
    users = [people[n] for n in rng.integers(20, size=300)]
    items = [posts[n] for n in rng.integers(30, size=300)]
    trained = Snapshot.train(users, items, [2.0] * 300, factors=4, iterations=5, seed=1)
    loaded = Snapshot.from_bytes(trained.to_bytes())
    history = {posts[0]: 3.0, posts[7]: 1.0}
    assert loaded.items == trained.items
    assert (loaded.users, loaded.interactions) == (trained.users, trained.interactions)
    assert np.allclose(loaded.scores(history).values, trained.scores(history).values)
    assert loaded.top(loaded.scores(history), 10) == trained.top(trained.scores(history), 10)
    assert loaded.popular(5) == trained.popular(5)


def _served(recommender: Recommender, snapshot: Snapshot) -> None:
    recommender.snapshot = snapshot  # what _serve sets, without a stored version
    recommender._picks.clear()


def test_a_readers_picks_are_kept_while_their_history_is_the_same(two_crowds, monkeypatch):
    """Kept picks are always what the snapshot computes for the history given: computed
    again when the history changes (a new like, a longer view), kept otherwise."""
    computed = []
    scores_of = Snapshot.scores_of
    monkeypatch.setattr(
        Snapshot, "scores_of", lambda self, *a: computed.append(1) or scores_of(self, *a)
    )
    recommender = Recommender(Settings())
    _served(recommender, two_crowds)
    reader, other = uuid4(), uuid4()
    histories = [  # (user, history, whether their picks are computed)
        (reader, {"r0": 3.0}, True),
        (reader, {"r0": 3.0}, False),
        (other, {"o0": 3.0}, True),
        (reader, {"r0": 3.0}, False),  # kept beside another reader's
        (reader, {"r0": 3.0, "o1": 3.0}, True),  # a new like
        (reader, {"r0": 3.0, "o1": 4.5}, True),  # a longer view of the same post
        (reader, {"r0": 3.0, "o1": 4.5, "unknown": 1.0}, False),  # a post it does not know
        (reader, {"o1": 4.5, "r0": 3.0}, True),  # the same, read in another order
    ]
    for user, history, computes in histories:
        computed.clear()
        picks = recommender.picks(user, history, 6)
        assert computed == ([1] if computes else [])
        fresh = two_crowds.scores(history)
        assert picks.scored == dict(two_crowds.top(fresh, 6))
        assert picks.history.tolist() == fresh.history.tolist()


def test_a_new_snapshot_computes_every_readers_picks_again(two_crowds):
    recommender = Recommender(Settings())
    _served(recommender, two_crowds)
    reader = uuid4()
    before = recommender.picks(reader, {"r0": 3.0}, 6)
    assert recommender.picks(reader, {"r0": 3.0}, 6) is before
    rng = np.random.default_rng(4)
    users = [f"u{n}" for n in range(30) for _ in range(3)]
    items = [f"r{item}" for item in rng.integers(3, size=len(users))]
    retrained = Snapshot.train(users, items, [1.0] * len(users), factors=2, seed=2)
    version = RecommenderVersion(
        version=2, trained_at=None, seconds=0.0, users=30, items=3, interactions=90
    )
    recommender._serve(version, retrained, SegmentFavourites())
    after = recommender.picks(reader, {"r0": 3.0}, 6)
    assert after is not before
    assert after.scored == dict(retrained.top(retrained.scores({"r0": 3.0}), 6))
