"""Feeds: gather candidates and the reader's history, let the ranking order them, serve a page.

A feed cursor holds the moment the first page was ranked and how far the reader has got,
so later pages rank the same candidates (posts published up to then, posts seen up to then)
and nothing new pushes items across a page boundary. Counters may move meanwhile, which
can shift an item by a place; the next refresh starts over.
"""

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth.principal import Principal
from chassis.clock import now
from chassis.pagination import PageRequest, decode_cursor, encode_cursor
from services.content.feeds.ranking import (
    ENGAGEMENT,
    Candidate,
    Ranked,
    Signal,
    interests,
    rank,
    weight,
)
from services.content.feeds.recommender import Recommender
from services.content.interactions.models import PostStats, Reaction, Seen
from services.content.posts.live import LiveState
from services.content.posts.models import LabelKind, Post, PostLabel
from services.content.posts.workflow import PostState
from services.content.recommend.serving import ReaderScores, Snapshot

CANDIDATES = 100  # the newest published posts a feed ranks
POOL = 100  # and the recommender's best for the reader, wherever they are in time
HISTORY = 200  # the reader's latest interactions of each kind: interests and fold-in
CANDIDATE_COLUMNS = (Post.id, Post.author, Post.published_at, Post.tags, Post.topics)
HISTORY_COLUMNS = (Post.title, Post.tags, Post.topics)


async def home(
    session: AsyncSession, reader: Principal | None, page: PageRequest, model: Recommender
) -> tuple[list[tuple[Post, Ranked]], str | None]:
    """The home feed: the newest posts, the most-had ones and, for a reader with history,
    the recommender's best for them, all ranked together."""
    return await _ranked(session, [], reader, page, model)


async def topic(
    session: AsyncSession, name: str, reader: Principal | None, page: PageRequest
) -> tuple[list[tuple[Post, Ranked]], str | None]:
    return await _ranked(session, [_labelled(LabelKind.TOPIC, name)], reader, page)


async def product(
    session: AsyncSession, kind: LabelKind, value: UUID, page: PageRequest
) -> tuple[list[tuple[Post, Ranked]], str | None]:
    """What a product page shows: posts linking the product or SKU, for everyone alike (no
    seen posts left out: a buyer comes back to the guide they read)."""
    return await _ranked(session, [_labelled(kind, str(value))], None, page)


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


def _labelled(kind: LabelKind, value: str):
    return Post.id.in_(
        select(PostLabel.post_id).where(PostLabel.kind == kind, PostLabel.value == value)
    )


@dataclass(frozen=True)
class History:
    """What a reader did: their interests, what they have seen by the feed's moment, and
    each post they had with its signal weight (what the recommender folds in)."""

    interest: dict[str, float] = field(default_factory=dict)
    seen: frozenset[UUID] = frozenset()
    weights: dict[UUID, float] = field(default_factory=dict)
    titles: dict[UUID, str] = field(default_factory=dict)


async def _ranked(
    session: AsyncSession,
    conditions: list,
    reader: Principal | None,
    page: PageRequest,
    model: Recommender | None = None,
) -> tuple[list[tuple[Post, Ranked]], str | None]:
    if page.cursor is None:
        at, offset = now(), 0
    else:
        at, offset = decode_cursor(page.cursor, [datetime, int])
    history = await _history(session, reader.user_id, at) if reader is not None else History()
    picks = _picks(model, history)
    published = [Post.state == PostState.PUBLISHED, Post.published_at <= at, *conditions]
    rows = await _candidates(session, published, [*picks.popular, *picks.scored])
    similar = picks.similar([row.id for row in rows])
    candidates = [
        Candidate(
            post_id=row.id,
            author=row.author,
            published_at=row.published_at,
            tags=tuple(row.tags),
            topics=tuple(row.topics),
            engagement={c: getattr(row, c) or 0 for c in ENGAGEMENT},
            collaborative=picks.scored.get(row.id, 0.0),
            similar_to=similar.get(row.id),
            similar_title=history.titles.get(similar.get(row.id)),
        )
        for row in rows
    ]
    ranked = rank(candidates, at=at, interest=history.interest, seen=history.seen)
    window = ranked[offset : offset + page.limit]
    posts = {
        p.id: p
        for p in await session.scalars(
            select(Post).where(Post.id.in_([r.candidate.post_id for r in window]))
        )
    }
    more = offset + page.limit < len(ranked)
    next_cursor = encode_cursor([at, offset + page.limit]) if more else None
    return [(posts[r.candidate.post_id], r) for r in window], next_cursor


@dataclass
class Picks:
    """What the recommender brings to one feed: the most-had posts, and for a reader with
    history their best posts with scores, and which of their posts each is most like."""

    popular: list[UUID] = field(default_factory=list)
    scored: dict[UUID, float] = field(default_factory=dict)
    snapshot: Snapshot | None = None
    reader: ReaderScores | None = None

    def similar(self, post_ids: list[UUID]) -> dict[UUID, UUID | None]:
        ids = [i for i in post_ids if i in self.scored]
        if not ids:
            return {}
        return dict(zip(ids, self.snapshot.closest(ids, self.reader), strict=True))


def _picks(model: Recommender | None, history: History) -> Picks:
    snapshot = model.snapshot if model is not None else None
    if snapshot is None:
        return Picks()
    if not history.weights:
        return Picks(popular=list(model.popular))
    reader = snapshot.scores(history.weights)
    return Picks(list(model.popular), dict(snapshot.top(reader, POOL)), snapshot, reader)


async def _candidates(session: AsyncSession, published: list, extra: list[UUID]) -> list:
    """The newest posts and `extra` ones, with their counters: two statements, each led by
    an index (one "newest or these" statement would scan every post)."""
    statement = select(*CANDIDATE_COLUMNS, *(getattr(PostStats, c) for c in ENGAGEMENT))
    statement = statement.outerjoin(PostStats, PostStats.post_id == Post.id).where(*published)
    rows = list(
        await session.execute(
            statement.order_by(Post.published_at.desc(), Post.id.desc()).limit(CANDIDATES)
        )
    )
    newest = {row.id for row in rows}
    wanted = [i for i in dict.fromkeys(extra) if i not in newest]
    if wanted:
        rows += await session.execute(statement.where(Post.id.in_(wanted)))
    return rows


async def _history(session: AsyncSession, user_id: UUID, at: datetime) -> History:
    """The reader's interests and signals (from their latest reactions and views) and what
    they have seen or reacted to, by `at`. Read at every request: a like changes the very
    next feed, with no retrain."""
    reactions = await session.execute(
        select(Reaction.post_id, Reaction.kind, Reaction.created_at, *HISTORY_COLUMNS)
        .join(Post, Post.id == Reaction.post_id)
        .where(Reaction.user_id == user_id)
        .order_by(Reaction.created_at.desc())
        .limit(HISTORY)
    )
    views = await session.execute(
        select(Seen.post_id, Seen.dwell_ms, Seen.last_seen_at, *HISTORY_COLUMNS)
        .join(Post, Post.id == Seen.post_id)
        .where(Seen.user_id == user_id)
        .order_by(Seen.last_seen_at.desc())
        .limit(HISTORY)
    )
    signals, seen, titles = [], set(), {}
    weights: dict[UUID, float] = {}
    # Only what the reader did by `at`: the later pages of a feed rank what the first did.
    for post_id, kind, created_at, title, tags, topics in reactions:
        if created_at <= at:
            signal = Signal(str(kind), tuple(tags), tuple(topics))
            signals.append(signal)
            weights[post_id] = weights.get(post_id, 0.0) + weight(signal)
            titles[post_id] = title
            seen.add(post_id)
    for post_id, dwell_ms, last_seen_at, title, tags, topics in views:
        if last_seen_at <= at:
            signal = Signal("view", tuple(tags), tuple(topics), dwell_ms=dwell_ms)
            signals.append(signal)
            weights[post_id] = weights.get(post_id, 0.0) + weight(signal)
            titles[post_id] = title
            seen.add(post_id)
    return History(interests(signals), frozenset(seen), weights, titles)
