"""Feeds: gather candidates and the reader's history, let the ranking order them, serve a page.

A feed cursor holds the moment the first page was ranked and which posts the pages so far
served (four bytes of each id's random end), so a later page ranks the candidates of that
moment (posts published up to then, what the reader had done by then) and leaves out what
was served: however counters, the model or the reader's views move meanwhile, no post comes
twice and none that was ranked is skipped. The cursor grows by four bytes an item (a feed
holds at most about 300 posts).
"""

import base64
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from uuid import UUID

import numpy as np
from sqlalchemy import String, Uuid, bindparam, literal, select, type_coerce, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth.principal import Principal
from chassis.clock import now
from chassis.http.problems import InvalidInput
from chassis.pagination import PageRequest
from services.content.feeds.ranking import (
    Personal,
    Ranked,
    Signal,
    interests,
    rank_page,
    weight,
)
from services.content.feeds.recommender import Recommender
from services.content.feeds.shelf import Shelf
from services.content.interactions.models import Reaction, Seen
from services.content.posts.live import LiveState
from services.content.posts.models import LabelKind, LinkedCampaign, Post, PostLabel
from services.content.posts.schemas import PostOut
from services.content.posts.workflow import PostState
from services.content.recommend.serving import Snapshot
from services.content.segments import service as segments

POOL = 100  # the recommender's best for the reader, wherever they are in time
HISTORY = 200  # the reader's latest interactions of each kind: interests and fold-in
SERVED_BYTES = 4  # of each served post's id, in the cursor
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


async def home(
    session: AsyncSession,
    shelf: Shelf,
    reader: Principal | None,
    page: PageRequest,
    model: Recommender,
) -> tuple[list[tuple[PostOut, Ranked]], str | None]:
    """The home feed: the newest posts, the most-had ones and, for a reader with history,
    the recommender's best for them (for one without, their segments' favourites), all
    ranked together."""
    return await _ranked(session, shelf, "home", [], reader, page, model)


async def topic(
    session: AsyncSession, shelf: Shelf, name: str, reader: Principal | None, page: PageRequest
) -> tuple[list[tuple[PostOut, Ranked]], str | None]:
    key = ("topic", name)
    return await _ranked(session, shelf, key, [_labelled(LabelKind.TOPIC, name)], reader, page)


async def product(
    session: AsyncSession, shelf: Shelf, kind: LabelKind, value: UUID, page: PageRequest
) -> tuple[list[tuple[PostOut, Ranked]], str | None]:
    """What a product page shows: posts linking the product or SKU, for everyone alike (no
    seen posts left out: a buyer comes back to the guide they read)."""
    conditions = [_labelled(kind, str(value))]
    return await _ranked(session, shelf, (kind, value), conditions, None, page)


async def live(session: AsyncSession) -> tuple[list[Post], list[Post], list[LinkedCampaign]]:
    """Live sessions on air (latest start first) and upcoming (soonest first), and the
    campaigns they link."""
    published = select(Post).where(Post.state == PostState.PUBLISHED, Post.live_state.is_not(None))
    on_air = await session.scalars(
        published.where(Post.live_state == LiveState.LIVE).order_by(Post.starts_at.desc()).limit(50)
    )
    upcoming = await session.scalars(
        published.where(Post.live_state == LiveState.SCHEDULED, Post.starts_at >= now())
        .order_by(Post.starts_at)
        .limit(50)
    )
    on_air, upcoming = list(on_air), list(upcoming)
    linked = {p.campaign_id for p in on_air + upcoming if p.campaign_id is not None}
    campaigns = await session.scalars(
        select(LinkedCampaign)
        .where(LinkedCampaign.campaign_id.in_(linked))
        .order_by(LinkedCampaign.starts_at, LinkedCampaign.campaign_id)
    )
    return on_air, upcoming, list(campaigns) if linked else []


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
    shelf: Shelf,
    key: object,
    conditions: list,
    reader: Principal | None,
    page: PageRequest,
    model: Recommender | None = None,
) -> tuple[list[tuple[PostOut, Ranked]], str | None]:
    at, served = (now(), b"") if page.cursor is None else _decode(page.cursor)
    # Reads only, outside a transaction: each statement sees what is committed when it
    # runs, as in READ COMMITTED, without the round trips of BEGIN and ROLLBACK.
    await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    history = History()
    if reader is not None:
        history = await _history(session, shelf, reader.user_id, at)
    picks = _picks(model, reader, history)
    if model is not None and reader is not None and not history.weights:
        picks.segment = model.segments.favourites(await segments.of(session, reader.user_id))
    extra = [*picks.popular, *picks.scored, *picks.segment] if model is not None else []
    newest = await shelf.newest(session, key, conditions, at)
    candidates = await shelf.candidates(session, [*newest, *extra], at)
    tails = {served[n : n + SERVED_BYTES] for n in range(0, len(served), SERVED_BYTES)}
    left_out = history.seen | {c.post_id for c in candidates if _tail(c.post_id) in tails}
    personal = Personal(collaborative=picks.scored, segment=picks.segment)
    window, more = rank_page(
        candidates,
        at=at,
        limit=page.limit,
        interest=history.interest,
        seen=left_out,
        personal=personal,
    )
    # Which of the reader's posts each is most like: for the page's reasons only.
    similar = picks.similar([r.candidate.post_id for r in window])
    window = [
        replace(r, similar=(s, history.titles.get(s)))
        if (s := similar.get(r.candidate.post_id)) is not None
        else r
        for r in window
    ]
    posts = await shelf.posts(session, [r.candidate.post_id for r in window])
    served += b"".join(_tail(r.candidate.post_id) for r in window)
    next_cursor = _encode(at, served) if more else None
    shown = [(posts[r.candidate.post_id], r) for r in window if r.candidate.post_id in posts]
    return shown, next_cursor


def _tail(post_id: UUID) -> bytes:
    return post_id.bytes[-SERVED_BYTES:]  # the random end: time-ordered ids share their start


def _encode(at: datetime, served: bytes) -> str:
    micros = (at - EPOCH) // timedelta(microseconds=1)
    return base64.urlsafe_b64encode(struct.pack(">q", micros) + served).rstrip(b"=").decode()


def _decode(cursor: str) -> tuple[datetime, bytes]:
    """The moment and the served tails a cursor holds; a 422 naming `query.cursor` if the
    text is not one."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        (micros,) = struct.unpack(">q", raw[:8])
        at = EPOCH + timedelta(microseconds=micros)
    except (ValueError, struct.error, OverflowError):
        raw, at = b"", None
    served = raw[8:]
    if at is None or len(served) % SERVED_BYTES or not served:
        raise InvalidInput("query.cursor", "is not a cursor that this feed returned")
    return at, served


@dataclass
class Picks:
    """What the recommender brings to one feed: the most-had posts, and for a reader with
    history their best posts with scores, and which of their posts each is most like; for
    a reader without, their segments' favourites with scores."""

    popular: list[UUID] = field(default_factory=list)
    scored: Mapping[UUID, float] = field(default_factory=dict)
    snapshot: Snapshot | None = None
    history: np.ndarray | None = None  # the snapshot columns of the reader's history
    segment: dict[UUID, float] = field(default_factory=dict)

    def similar(self, post_ids: list[UUID]) -> dict[UUID, UUID | None]:
        ids = [i for i in post_ids if i in self.scored]
        if not ids:
            return {}
        return dict(zip(ids, self.snapshot.closest(ids, self.history), strict=True))


def _picks(model: Recommender | None, reader: Principal | None, history: History) -> Picks:
    snapshot = model.snapshot if model is not None else None
    if snapshot is None:
        return Picks()
    if not history.weights:
        return Picks(popular=list(model.popular))
    mine = model.picks(reader.user_id, history.weights, POOL)
    return Picks(list(model.popular), mine.scored, snapshot, mine.history)


def _history_statement():
    """The reader's latest reactions and views (HISTORY of each), for `:reader`: built
    once, so a feed spends nothing composing it."""
    reader = bindparam("reader", type_=Uuid)
    reactions = (
        select(
            Reaction.post_id,
            type_coerce(Reaction.kind, String).label("kind"),  # beside "view", as text
            literal(0).label("dwell_ms"),
            Reaction.created_at,
        )
        .where(Reaction.user_id == reader)
        .order_by(Reaction.created_at.desc())
        .limit(HISTORY)
        .subquery()
    )
    views = (
        select(Seen.post_id, literal("view").label("kind"), Seen.dwell_ms, Seen.last_seen_at)
        .where(Seen.user_id == reader)
        .order_by(Seen.last_seen_at.desc())
        .limit(HISTORY)
        .subquery()
    )
    return union_all(select(reactions), select(views))


HISTORY_STATEMENT = _history_statement()


async def _history(session: AsyncSession, shelf: Shelf, user_id: UUID, at: datetime) -> History:
    """The reader's interests and signals (from their latest reactions and views) and what
    they have seen or reacted to, by `at`. Read at every request: a like changes the very
    next feed, with no retrain. The posts' labels come from the shelf (they never change)."""
    had = list(await session.execute(HISTORY_STATEMENT, {"reader": user_id}))
    labels = await shelf.labels(session, [row[0] for row in had])
    signals, seen, titles = [], set(), {}
    weights: dict[UUID, float] = {}
    # Only what the reader did by `at`: the later pages of a feed rank what the first did.
    for post_id, kind, dwell_ms, done_at in had:
        post = labels.get(post_id)
        if done_at <= at and post is not None:
            signal = Signal(kind, post.tags, post.topics, dwell_ms=dwell_ms)
            signals.append(signal)
            weights[post_id] = weights.get(post_id, 0.0) + weight(signal)
            titles[post_id] = post.title
            seen.add(post_id)
    return History(interests(signals), frozenset(seen), weights, titles)
