"""The published posts feeds rank, kept in this process as the ranking reads them, so a feed
request reads from the database only the reader's own history and the page it returns.

What is kept:
- the newest published posts of each feed (home, a topic, a product), for `seconds`;
- each published post as a candidate, with its counters, for `seconds`: counters a feed
  ranks by are at most that old, and so is knowing that a post is still published;
- each published post as feeds show it (PostOut), for good but a live session's (its
  broadcast moves), for `seconds`: feeds show only candidates, whose publication is known;
- for good, what a post says that ranking reads (author, publication, tags, topics, title):
  a post is edited only as a draft, so a published (or archived) one never changes.
Whatever this process publishes or takes down empties the first two at once
(posts/changes.py); other replicas follow within `seconds`. `seconds` = 0 keeps nothing but
the labels.
"""

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from services.content.feeds.ranking import ENGAGEMENT, Candidate
from services.content.interactions.models import PostStats
from services.content.posts import changes
from services.content.posts.models import Post
from services.content.posts.schemas import PostOut
from services.content.posts.workflow import PostState

NEWEST = 100  # the newest published posts a feed ranks
KEPT = 100_000  # posts kept at most in each map; past that, it starts over
PAGES_KEPT = 5_000  # whole posts (an article is up to 100,000 characters)
CANDIDATE_COLUMNS = (Post.id, Post.author, Post.published_at, Post.tags, Post.topics)
# Built once (a feed spends nothing composing them), for the ids in `:ids`.
_IDS = bindparam("ids", expanding=True)
COUNTERS = (
    select(Post.id, *(getattr(PostStats, c) for c in ENGAGEMENT))
    .outerjoin(PostStats, PostStats.post_id == Post.id)
    .where(Post.state == PostState.PUBLISHED, Post.id.in_(_IDS))
)
PUBLISHED_POSTS = select(Post).where(Post.state == PostState.PUBLISHED, Post.id.in_(_IDS))


def padded(ids: list) -> list:
    """`ids` padded (with the last one again) to a power of two: an IN list of each length
    is a statement of its own that PostgreSQL prepares (a round trip), and of lengths up to
    1,024 there are then 11, which stay prepared."""
    return ids + ids[-1:] * ((1 << (len(ids) - 1).bit_length()) - len(ids)) if ids else ids


@dataclass(frozen=True)
class Labels:
    title: str
    tags: tuple[str, ...]
    topics: tuple[str, ...]


@dataclass(frozen=True)
class _Kept:
    until: float  # time.monotonic()
    generation: int
    value: object


class Shelf:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._newest: dict[object, _Kept] = {}
        self._candidates: dict[UUID, _Kept] = {}
        self._facts: dict[UUID, tuple] = {}
        self._posts: dict[UUID, _Kept] = {}
        self._lasting: dict[UUID, PostOut] = {}  # published, not live: as they will stay
        self._labels: dict[UUID, Labels] = {}

    async def newest(
        self, session: AsyncSession, key: object, conditions: list, at: datetime
    ) -> list[UUID]:
        """The ids of the NEWEST posts published by `at` that meet `conditions` (`key` names
        them), newest first. A kept list serves when it was read for a moment up to `at`
        (posts published since are at most `seconds` old); a later page of a feed, whose
        moment is older, reads its own."""
        kept = self._fresh(self._newest.get(key))
        if kept is not None and kept.value[0] <= at:
            return kept.value[1]
        generation = changes.generation()
        ids = list(
            await session.scalars(
                select(Post.id)
                .where(Post.state == PostState.PUBLISHED, Post.published_at <= at, *conditions)
                .order_by(Post.published_at.desc(), Post.id.desc())
                .limit(NEWEST)
            )
        )
        if (now() - at).total_seconds() < self.seconds:  # a first page's: others will follow
            self._keep(self._newest, key, generation, (at, ids))
        return ids

    async def candidates(
        self, session: AsyncSession, post_ids: Iterable[UUID], at: datetime
    ) -> list[Candidate]:
        """The candidates of those of `post_ids` that are published (by `at`), in their order,
        once each. The missing ones are read in one statement of their states and counters
        (and one of what they say, for posts never read before)."""
        wanted = list(dict.fromkeys(post_ids))
        found: dict[UUID, Candidate | None] = {}
        missing = []
        for post_id in wanted:
            kept = self._fresh(self._candidates.get(post_id))
            if kept is None:
                missing.append(post_id)
            else:
                found[post_id] = kept.value
        if missing:
            generation = changes.generation()
            facts = await self._facts_of(session, missing)
            rows = await session.execute(COUNTERS, {"ids": padded(missing)})
            read = {}
            for post_id, *counts in rows:
                if post_id in facts:
                    read[post_id] = self._candidate(facts[post_id], tuple(n or 0 for n in counts))
            for post_id in missing:
                found[post_id] = read.get(post_id)  # None: not published (now)
                self._keep(self._candidates, post_id, generation, found[post_id])
        return [c for c in (found[i] for i in wanted) if c is not None and c.published_at <= at]

    def _candidate(self, facts: tuple, counts: tuple[int, ...]) -> Candidate:
        """The candidate for a post's facts and counters: the one made before if its
        counters have not moved since (most have not, and a candidate derives its
        engagement once)."""
        before = self._candidates.get(facts[0])
        if before is not None and before.value is not None and before.value.counts == counts:
            return before.value
        return Candidate(*facts, engagement=dict(zip(ENGAGEMENT, counts, strict=True)))

    async def _facts_of(self, session: AsyncSession, post_ids: list[UUID]) -> dict[UUID, tuple]:
        """(id, author, published_at, tags, topics) of each of `post_ids` ever published."""
        missing = [i for i in post_ids if i not in self._facts]
        if missing:
            if len(self._facts) + len(missing) > KEPT:
                self._facts.clear()
            rows = await session.execute(
                select(*CANDIDATE_COLUMNS).where(
                    Post.state.in_((PostState.PUBLISHED, PostState.ARCHIVED)),
                    Post.id.in_(missing),
                )
            )
            for post_id, author, published_at, tags, topics in rows:  # never edited again
                self._facts[post_id] = (post_id, author, published_at, tuple(tags), tuple(topics))
        return {i: self._facts[i] for i in post_ids if i in self._facts}

    async def posts(self, session: AsyncSession, post_ids: Iterable[UUID]) -> dict[UUID, PostOut]:
        """Each of `post_ids` (candidates: published, as of at most `seconds` ago) that is
        published, as feeds show it; the missing ones read in one statement. What a
        published post shows never changes but a live session's broadcast (its state and
        replay), so the others are kept for good."""
        found: dict[UUID, PostOut] = {}
        missing = []
        for post_id in post_ids:
            lasting = self._lasting.get(post_id)
            kept = self._fresh(self._posts.get(post_id)) if lasting is None else None
            if lasting is not None:
                found[post_id] = lasting
            elif kept is None:
                missing.append(post_id)
            elif kept.value is not None:
                found[post_id] = kept.value
        if missing:
            generation = changes.generation()
            read = {
                post.id: PostOut.model_validate(post)
                for post in await session.scalars(PUBLISHED_POSTS, {"ids": padded(missing)})
            }
            if len(self._posts) + len(missing) > PAGES_KEPT:
                self._posts.clear()
            if len(self._lasting) + len(missing) > PAGES_KEPT:
                self._lasting.clear()
            for post_id in missing:
                post = read.get(post_id)
                if post is not None and post.live_state is None and self.seconds > 0:
                    self._lasting[post_id] = post
                else:
                    self._keep(self._posts, post_id, generation, post)
            found |= read
        return found

    async def labels(self, session: AsyncSession, post_ids: Iterable[UUID]) -> dict[UUID, Labels]:
        """The title, tags and topics of each of `post_ids` that exists."""
        post_ids = list(dict.fromkeys(post_ids))
        found = {i: self._labels[i] for i in post_ids if i in self._labels}
        missing = [i for i in post_ids if i not in found]
        if missing:
            if len(self._labels) + len(missing) > KEPT:
                self._labels.clear()
            rows = await session.execute(
                select(Post.id, Post.title, Post.tags, Post.topics, Post.state).where(
                    Post.id.in_(missing)
                )
            )
            for post_id, title, tags, topics, state in rows:
                found[post_id] = Labels(title, tuple(tags), tuple(topics))
                if state in (PostState.PUBLISHED, PostState.ARCHIVED):  # never edited again
                    self._labels[post_id] = found[post_id]
        return found

    def _fresh(self, kept: _Kept | None) -> _Kept | None:
        if kept is None or kept.generation != changes.generation():
            return None
        return kept if time.monotonic() < kept.until else None

    def _keep(self, where: dict, key: object, generation: int, value: object) -> None:
        if self.seconds <= 0:
            return
        if len(where) >= KEPT:
            where.clear()
        where[key] = _Kept(time.monotonic() + self.seconds, generation, value)
