"""Cold start by segment, pure: each segment's favourites, a reader's from their segments."""

import pytest

from services.content.recommend.segments import SegmentFavourites


def test_each_segment_favours_what_most_of_its_members_had():
    users = ["a", "a", "b", "b", "c", "d", "d", "x"]
    items = ["p1", "p1", "p1", "p2", "p2", "p3", "p1", "p9"]  # a had p1 twice: counted once
    members = [("a", "S"), ("b", "S"), ("c", "S"), ("d", "T"), ("c", "T")]
    favourites = SegmentFavourites.count(users, items, members)
    assert favourites.lists["S"] == {"p1": 1.0, "p2": 1.0}  # two members each
    assert favourites.lists["T"] == pytest.approx({"p1": 1.0, "p2": 1.0, "p3": 1.0})
    assert "p9" not in favourites.favourites(["S", "T"])  # x is in no segment


def test_a_reader_gets_the_favourites_of_each_of_their_segments_at_their_best():
    favourites = SegmentFavourites({"S": {"p1": 1.0, "p2": 0.5}, "T": {"p2": 1.0, "p3": 0.25}})
    assert favourites.favourites(["S", "T"]) == {"p1": 1.0, "p2": 1.0, "p3": 0.25}
    assert favourites.favourites(["S"]) == {"p1": 1.0, "p2": 0.5}
    assert favourites.favourites([]) == {}
    assert favourites.favourites(["unknown"]) == {}


def test_a_segment_keeps_its_n_favourites_best_first():
    users = [f"u{n}" for n in range(10) for _ in range(n + 1)]
    items = [f"p{k}" for n in range(10) for k in range(n + 1)]  # p0 had by all, p9 by one
    favourites = SegmentFavourites.count(users, items, [(f"u{n}", "S") for n in range(10)], n=3)
    assert favourites.lists["S"] == pytest.approx({"p0": 1.0, "p1": 0.9, "p2": 0.8})
