"""Feed ranking, pure: decay, freshness, affinity, seen posts left out, diversity, reasons."""

from datetime import UTC, datetime, timedelta

import pytest

from chassis.ids import new_id
from services.content.feeds.ranking import (
    Candidate,
    Personal,
    Reason,
    Signal,
    affinity,
    diversify,
    freshness,
    interests,
    popularity,
    rank,
    rank_page,
)

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def _served(candidates, **options):
    """The whole feed as feeds serve it (rank_page, one page holding every candidate)."""
    page, more = rank_page(candidates, limit=len(candidates) + 1, **options)
    assert not more
    return page


@pytest.fixture(params=["reference", "served"])
def ranker(request):
    """Each rule holds for the reference ranking and for the one feeds serve."""
    return rank if request.param == "reference" else _served


def _post(hours_old: float = 1, *, author=None, tags=(), topics=(), **engagement) -> Candidate:
    return Candidate(
        post_id=new_id(),
        author=author or new_id(),
        published_at=NOW - timedelta(hours=hours_old),
        tags=tuple(tags),
        topics=tuple(topics),
        engagement=engagement,
    )


def test_popularity_halves_every_half_life_and_grows_with_engagement():
    young, old = _post(0, likes=10), _post(48, likes=10)
    assert popularity(old, NOW) == pytest.approx(popularity(young, NOW) / 2)
    assert popularity(_post(0, likes=20), NOW) > popularity(young, NOW)
    assert popularity(_post(0), NOW) == 0.0
    assert popularity(_post(0, shares=1), NOW) > popularity(_post(0, views=1), NOW)


def test_freshness_falls_with_age_and_a_post_from_the_future_counts_as_new():
    assert freshness(_post(0), NOW) == pytest.approx(1.0)
    assert freshness(_post(24), NOW) == pytest.approx(0.3679, abs=1e-4)
    assert freshness(_post(-1), NOW) == pytest.approx(1.0)


def test_interests_weigh_what_the_user_did_and_how_long_they_stayed():
    interest = interests(
        [
            Signal("like", tags=("布置",)),
            Signal("view", tags=("搭配",), dwell_ms=0),
            Signal("view", tags=("教程",), dwell_ms=120_000),
        ]
    )
    assert interest["布置"] == pytest.approx(3 / 7)
    assert interest["搭配"] == pytest.approx(1 / 7)
    assert interest["教程"] == pytest.approx(3 / 7)  # 1 + two minutes' bonus
    assert interests([]) == {}
    assert affinity(_post(tags=("布置", "教程")), interest) == pytest.approx(6 / 7)
    assert affinity(_post(tags=("测评",)), interest) == 0.0


def test_affinity_lifts_what_the_user_likes_over_what_is_merely_popular(ranker):
    liked = _post(5, tags=("布置",), likes=1)
    popular = _post(5, tags=("测评",), likes=30)
    interest = interests([Signal("favourite", tags=("布置",))] * 3)
    assert [r.candidate for r in ranker([popular, liked], at=NOW)] == [popular, liked]
    ranked = ranker([popular, liked], at=NOW, interest=interest)
    assert [r.candidate for r in ranked] == [liked, popular]
    assert (ranked[0].reason.code, ranked[0].reason.label) == ("because_you_like", "布置")
    assert (ranked[1].reason.code, ranked[1].reason.label) == ("popular_in", "测评")


def test_a_new_post_gets_a_chance_before_anyone_acted(ranker):
    new, yesterday = _post(0.1, topics=("tea",)), _post(30, likes=2)
    ranked = ranker([yesterday, new], at=NOW, interest={"tea": 1.0})
    assert ranked[0].candidate == new
    assert (ranked[0].reason.code, ranked[0].reason.label) in {
        ("new_in_your_topic", "tea"),
        ("because_you_like", "tea"),
    }
    assert ranker([new], at=NOW)[0].reason.code == "new"


def test_seen_posts_are_left_out(ranker):
    seen, unseen = _post(1, likes=100), _post(1)
    ranked = ranker([seen, unseen], at=NOW, seen=frozenset({seen.post_id}))
    assert [r.candidate for r in ranked] == [unseen]


def test_no_author_or_topic_holds_more_than_two_of_any_five_places(ranker):
    prolific = new_id()
    walls = [_post(1, author=prolific, likes=100 - i) for i in range(6)]
    tea = [_post(1, topics=("tea",), likes=50 - i) for i in range(6)]
    others = [_post(1, likes=10 - i) for i in range(6)]
    ranked = ranker(walls + tea + others, at=NOW)
    order = [r.candidate for r in ranked]
    assert len(order) == 18
    for start in range(len(order) - 4):
        window = order[start : start + 5]
        if start + 5 <= 12:  # while others remain to fill the gaps
            assert sum(c.author == prolific for c in window) <= 2
            assert sum(c.topics == ("tea",) for c in window) <= 2
    assert order[0] == walls[0]  # the best still leads


def test_diversity_keeps_the_order_when_nothing_crowds(ranker):
    items = ranker([_post(1, likes=n) for n in (5, 4, 3, 2, 1)], at=NOW)
    assert diversify(items) == items


def test_ties_and_empty_input(ranker):
    assert ranker([], at=NOW) == []
    a, b = _post(2), _post(2)
    assert [r.candidate for r in ranker([a, b], at=NOW)] == [
        r.candidate for r in ranker([b, a], at=NOW)
    ]


def test_a_cold_readers_segment_favourites_lead_with_their_reason(ranker):
    favourite, popular = _post(5, tags=("布置",), likes=1), _post(5, tags=("测评",), likes=30)
    segment = Personal(segment={favourite.post_id: 1.0})
    ranked = ranker([popular, favourite], at=NOW, personal=segment)
    assert [r.candidate for r in ranked] == [favourite, popular]
    assert ranked[0].reason.code == "popular_in_your_segment"
    assert ranked[1].reason.code == "popular_in"
    # Without a segment, the popular one leads again.
    assert ranker([favourite, popular], at=NOW)[0].candidate == popular


def test_the_recommenders_pick_names_the_readers_post_it_is_like(ranker):
    liked_id = new_id()
    pick, other = _post(5, likes=1), _post(5, likes=5)
    personal = Personal(
        collaborative={pick.post_id: 1.0}, similar={pick.post_id: (liked_id, "room 1")}
    )
    ranked = ranker([other, pick], at=NOW, personal=personal)
    assert ranked[0].candidate == pick
    assert ranked[0].reason == Reason("because_you_liked", "room 1", liked_id)
