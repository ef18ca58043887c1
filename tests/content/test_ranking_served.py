"""The ranking feeds serve (rank_page, over arrays) against the reference (rank, candidate by
candidate) on a seeded population: the same posts in the same places, with the same scores,
parts and reasons, for every kind of reader and page size."""

import random
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from services.content.feeds.ranking import Candidate, Personal, rank, rank_page

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
TAGS = ["搭配", "布置", "教程", "测评", *(f"tag{n}" for n in range(16))]
TOPICS = [f"topic{n}" for n in range(6)]


def _population(rng: random.Random, n: int) -> list[Candidate]:
    """Posts by few authors on few topics (so diversity has work to do), some without
    topics or tags, some published at the same moment with no engagement (exact ties,
    broken by id), some in the future."""
    authors = [UUID(int=rng.getrandbits(128)) for _ in range(12)]
    same_moment = NOW - timedelta(hours=3)
    posts = []
    for k in range(n):
        tied = k % 10 == 0
        posts.append(
            Candidate(
                post_id=UUID(int=rng.getrandbits(128)),
                author=rng.choice(authors),
                published_at=same_moment
                if tied
                else NOW - timedelta(seconds=rng.uniform(-3_600, 30 * 86_400)),
                tags=tuple(rng.sample(TAGS, rng.choice([0, 1, 2, 3]))),
                topics=tuple(rng.sample(TOPICS, rng.choice([0, 1, 1, 2]))),
                engagement={}
                if tied
                else {
                    kind: rng.randrange(0, 400)
                    for kind in rng.sample(
                        ["views", "likes", "favourites", "shares", "comments", "clicks"], 3
                    )
                },
            )
        )
    return posts


def _reader(rng: random.Random, posts: list[Candidate], kind: str) -> dict:
    """What a reader of `kind` brings: nothing (anonymous), a segment (cold), or a
    history (interests, seen posts, the recommender's scores and similar posts)."""
    if kind == "anonymous":
        return {}
    if kind == "cold":
        favourites = rng.sample(posts, 30)
        return {"personal": Personal(segment={p.post_id: rng.random() for p in favourites})}
    labels = rng.sample(TAGS + TOPICS, 8)
    weights = {label: rng.random() for label in labels}
    # Interests sum to 1; unscaled, a post's labels can cover more (affinity is capped at 1).
    total = sum(weights.values()) if kind == "with_history" else 1.0
    picked = rng.sample(posts, 100)
    return {
        "interest": {label: w / total for label, w in weights.items()},
        "seen": frozenset(p.post_id for p in rng.sample(posts, 40)),
        "personal": Personal(
            collaborative={p.post_id: rng.random() for p in picked},
            similar={p.post_id: (UUID(int=rng.getrandbits(128)), "a liked post") for p in picked},
        ),
    }


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("kind", ["anonymous", "cold", "with_history", "unscaled_interest"])
def test_the_served_ranking_is_the_reference_ranking(seed, kind):
    rng = random.Random(seed)
    posts = _population(rng, 300)
    reader = _reader(rng, posts, kind)
    reference = rank(posts, at=NOW, **reader)
    assert len(reference) > 200
    for limit in (1, 2, 5, 20, 50, len(reference) - 1, len(reference), len(reference) + 5):
        page, more = rank_page(posts, at=NOW, limit=limit, **reader)
        expected = reference[:limit]
        assert [r.candidate for r in page] == [r.candidate for r in expected]
        assert [r.score for r in page] == [r.score for r in expected]  # the same bits
        assert [r.parts for r in page] == [r.parts for r in expected]
        assert [r.reason for r in page] == [r.reason for r in expected]
        assert more == (len(reference) > limit)


def test_the_served_ranking_breaks_exact_ties_by_id_as_the_reference_does():
    rng = random.Random(99)
    moment = NOW - timedelta(hours=1)
    twins = [
        Candidate(UUID(int=rng.getrandbits(128)), UUID(int=rng.getrandbits(128)), moment)
        for _ in range(30)
    ]
    page, _ = rank_page(twins, at=NOW, limit=30)
    assert len({r.score for r in page}) == 1
    assert [r.candidate for r in page] == [r.candidate for r in rank(twins, at=NOW)]
    assert [str(r.candidate.post_id) for r in page] == sorted(str(t.post_id) for t in twins)
