"""Feeds: gather candidates and the reader's history, let the ranking order them, serve a page.

A feed cursor holds the moment the first page was ranked and how far the reader has got,
so later pages rank the same candidates (posts published up to then, posts seen up to then)
and nothing new pushes items across a page boundary. Counters may move meanwhile, which
can shift an item by a place; the next refresh starts over.
"""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth.principal import Principal
from chassis.clock import now
from chassis.pagination import PageRequest, decode_cursor, encode_cursor
from services.content.feeds.ranking import Candidate, Ranked, Signal, interests, rank
from services.content.interactions.models import PostStats, Reaction, Seen
from services.content.posts.live import LiveState
from services.content.posts.models import LabelKind, Post, PostLabel
from services.content.posts.workflow import PostState

CANDIDATES = 1_000  # the newest published posts a feed ranks
HISTORY = 200  # the reader's latest interactions that make their interests


async def home(
    session: AsyncSession, reader: Principal | None, page: PageRequest
) -> tuple[list[tuple[Post, Ranked]], str | None]:
    return await _ranked(session, _published(), reader, page)


async def topic(
    session: AsyncSession, name: str, reader: Principal | None, page: PageRequest
) -> tuple[list[tuple[Post, Ranked]], str | None]:
    return await _ranked(session, _published(_labelled(LabelKind.TOPIC, name)), reader, page)


async def product(
    session: AsyncSession, kind: LabelKind, value: UUID, page: PageRequest
) -> tuple[list[tuple[Post, Ranked]], str | None]:
    """What a product page shows: posts linking the product or SKU, for everyone alike (no
    seen posts left out: a buyer comes back to the guide they read)."""
    return await _ranked(session, _published(_labelled(kind, str(value))), None, page)


async def live(session: AsyncSession) -> tuple[list[Post], list[Post]]:
    """Live sessions on air (latest start first) and upcoming (soonest first)."""
    published = select(Post).where(Post.state == PostState.PUBLISHED, Post.live_state.is_not(None))
    on_air = await session.scalars(
        published.where(Post.live_state == LiveState.LIVE).order_by(Post.starts_at.desc()).limit(50)
    )
    upcoming = await session.scalars(
        published.where(Post.live_state == LiveState.SCHEDULED, Post.starts_at >= now())
        .order_by(Post.starts_at)
        .limit(50)
    )
    return list(on_air), list(upcoming)


def _published(*conditions) -> Select:
    return select(Post).where(Post.state == PostState.PUBLISHED, *conditions)


def _labelled(kind: LabelKind, value: str):
    return Post.id.in_(
        select(PostLabel.post_id).where(PostLabel.kind == kind, PostLabel.value == value)
    )


async def _ranked(
    session: AsyncSession, statement: Select, reader: Principal | None, page: PageRequest
) -> tuple[list[tuple[Post, Ranked]], str | None]:
    if page.cursor is None:
        at, offset = now(), 0
    else:
        at, offset = decode_cursor(page.cursor, [datetime, int])
    posts = list(
        await session.scalars(
            statement.where(Post.published_at <= at)
            .order_by(Post.published_at.desc(), Post.id.desc())
            .limit(CANDIDATES)
        )
    )
    engagement = await _engagement(session, [p.id for p in posts])
    candidates = [
        Candidate(
            post_id=p.id,
            author=p.author,
            published_at=p.published_at,
            tags=tuple(p.tags),
            topics=tuple(p.topics),
            engagement=engagement.get(p.id, {}),
        )
        for p in posts
    ]
    interest, seen = ({}, frozenset())
    if reader is not None:
        interest, seen = await _history(session, reader.user_id, at)
    ranked = rank(candidates, at=at, interest=interest, seen=seen)
    by_id = {p.id: p for p in posts}
    window = ranked[offset : offset + page.limit]
    more = offset + page.limit < len(ranked)
    next_cursor = encode_cursor([at, offset + page.limit]) if more else None
    return [(by_id[r.candidate.post_id], r) for r in window], next_cursor


async def _engagement(session: AsyncSession, post_ids: Sequence[UUID]) -> dict[UUID, dict]:
    if not post_ids:
        return {}
    rows = await session.scalars(select(PostStats).where(PostStats.post_id.in_(post_ids)))
    return {
        s.post_id: {
            "views": s.views,
            "likes": s.likes,
            "favourites": s.favourites,
            "shares": s.shares,
            "comments": s.comments,
            "clicks": s.clicks,
        }
        for s in rows
    }


async def _history(
    session: AsyncSession, user_id: UUID, at: datetime
) -> tuple[dict[str, float], frozenset[UUID]]:
    """The reader's interests (from their latest reactions and views) and what they have
    seen by `at`. Read at every request: a like changes the very next feed."""
    reactions = await session.execute(
        select(Reaction.kind, Post.tags, Post.topics)
        .join(Post, Post.id == Reaction.post_id)
        .where(Reaction.user_id == user_id)
        .order_by(Reaction.created_at.desc())
        .limit(HISTORY)
    )
    views = await session.execute(
        select(Seen.post_id, Seen.dwell_ms, Seen.last_seen_at, Post.tags, Post.topics)
        .join(Post, Post.id == Seen.post_id)
        .where(Seen.user_id == user_id)
        .order_by(Seen.last_seen_at.desc())
        .limit(HISTORY)
    )
    signals = [Signal(str(kind), tuple(tags), tuple(topics)) for kind, tags, topics in reactions]
    seen = set()
    for post_id, dwell_ms, last_seen_at, tags, topics in views:
        signals.append(Signal("view", tuple(tags), tuple(topics), dwell_ms=dwell_ms))
        if last_seen_at <= at:
            seen.add(post_id)
    return interests(signals), frozenset(seen)
