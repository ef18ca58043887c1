"""The recommender every replica serves: a snapshot trained from the interactions in the
database, stored there as a numbered version, and loaded by every replica, so all of them
answer alike.

Training happens on a schedule and on demand. On the schedule, each period's training is
taken by one replica (a row per period, the first insert wins) and the others follow: every
`CONTENT_RECOMMENDER_FOLLOW_SECONDS` each replica looks for a version newer than the one it
serves and loads it. On demand, the replica asked trains a new version; the others load it
at their next look. Training and loading run in worker threads (`implicit` and numpy
release the GIL), so feeds keep being served meanwhile, from the previous version, or
before the first one by the rules alone.

Each reader's picks (the snapshot's best posts for them) are kept, for as long as the
snapshot serves, with what they were computed from: the columns and weights of the
reader's history the snapshot knows. A request reads the history anyway (it is what the
feed leaves out and what the interests come from); when the snapshot's part of it is the
same, so are the picks, and they are not computed again. Any interaction of the reader,
on any replica, changes that part, so the next feed computes them afresh.
"""

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated
from uuid import UUID

import numpy as np
from fastapi import Depends, Request
from sqlalchemy import case, delete, func, select, union_all
from threadpoolctl import threadpool_limits

from chassis.background import every
from chassis.clock import now
from chassis.db import Database, insert_if_absent
from services.content.feeds.models import RecommenderVersion, TrainingTurn
from services.content.feeds.ranking import DWELL_BONUS_CAP, DWELL_BONUS_PER_MINUTE, INTEREST
from services.content.interactions.models import Reaction, ReactionKind, Seen
from services.content.posts.models import Post
from services.content.posts.workflow import PostState
from services.content.recommend.segments import SegmentFavourites
from services.content.recommend.serving import Snapshot
from services.content.segments import service as segments
from services.content.settings import Settings

log = logging.getLogger(__name__)
STREAMED = 20_000  # rows per partition read while loading the interactions
KEPT_VERSIONS = 3  # the latest ones; older snapshots are deleted when a new one is stored
READERS_KEPT = 5_000  # readers whose picks are kept (about 10 KB each), the least recent go


@dataclass(frozen=True)
class ReaderPicks:
    """The snapshot's best posts for one reader with their scores, and the snapshot columns
    of the reader's history (what "because you liked" compares with)."""

    scored: dict[UUID, float]
    history: np.ndarray
    computed_from: bytes  # the history's columns and weights, as the snapshot knows it


@dataclass(frozen=True)
class Training:
    """What a version learned from, and when."""

    version: int
    trained_at: datetime
    seconds: float
    users: int
    items: int
    interactions: int


class Recommender:
    def __init__(self, settings: Settings) -> None:
        # One BLAS thread in this process: a feed's products are small, and a pool of BLAS
        # threads waking for each costs more than it saves on a busy machine (and fights
        # implicit's own threads during training).
        threadpool_limits(1, "blas")
        self.settings = settings
        self.snapshot: Snapshot | None = None
        self.popular: list = []
        self.segments = SegmentFavourites()
        self.last: Training | None = None
        self._lock = asyncio.Lock()
        self._picks: OrderedDict[UUID, ReaderPicks] = OrderedDict()

    @property
    def version(self) -> int:
        return self.last.version if self.last else 0

    def picks(self, reader: UUID, history: Mapping[UUID, float], n: int) -> ReaderPicks:
        """The snapshot's `n` best posts for `reader`, whose history (post -> signal
        weight) is `history`: kept from their last feed if the snapshot's part of the
        history is the same, else computed and kept. Needs a snapshot."""
        snapshot = self.snapshot
        columns, weights = snapshot.known(history)
        computed_from = columns.tobytes() + weights.tobytes()
        kept = self._picks.get(reader)
        if kept is not None and kept.computed_from == computed_from:
            self._picks.move_to_end(reader)
            return kept
        scores = snapshot.scores_of(columns, weights)
        picks = ReaderPicks(dict(snapshot.top(scores, n)), scores.history, computed_from)
        self._picks[reader] = picks
        self._picks.move_to_end(reader)
        if len(self._picks) > READERS_KEPT:
            self._picks.popitem(last=False)
        return picks

    async def retrain(self, db: Database) -> Training:
        """Train a new version from every interaction with a published post, store it and
        serve it; one training at a time in this replica."""
        async with self._lock:
            started = time.perf_counter()
            users, items, weights = await _interactions(db)
            async with db.session() as session:
                members = await segments.members(session)
            favourites = await asyncio.to_thread(SegmentFavourites.count, users, items, members)
            snapshot = None
            if weights:
                snapshot = await asyncio.to_thread(
                    Snapshot.train,
                    users,
                    items,
                    weights,
                    factors=self.settings.recommender_factors,
                    iterations=self.settings.recommender_iterations,
                )
            blob = await asyncio.to_thread(snapshot.to_bytes) if snapshot else None
            row = RecommenderVersion(
                trained_at=now(),
                seconds=round(time.perf_counter() - started, 3),
                users=snapshot.users if snapshot else 0,
                items=len(snapshot.items) if snapshot else 0,
                interactions=snapshot.interactions if snapshot else 0,
                snapshot=blob,
                segments=_stored(favourites),
            )
            async with db.session() as session:
                session.add(row)
                await session.flush()
                await session.execute(
                    delete(RecommenderVersion).where(
                        RecommenderVersion.version <= row.version - KEPT_VERSIONS
                    )
                )
                await session.commit()
            self._serve(row, snapshot, favourites)
            log.info("recommender trained", extra=vars(self.last))
            return self.last

    async def take_turn(self, db: Database, seconds: float) -> None:
        """The scheduled training: this replica trains if it is the first to take this
        period's turn; otherwise it follows the one that did."""
        async with db.session() as session:
            period = int(time.time() // seconds)
            mine = await insert_if_absent(
                session, TrainingTurn.__table__, period=period, taken_at=now()
            )
            await session.commit()
        if mine:
            await self.retrain(db)
        else:
            await self.follow(db)

    async def follow(self, db: Database) -> bool:
        """Serve the latest stored version if it is newer than this replica's; whether it
        loaded one."""
        async with db.session() as session:
            latest = await session.scalar(select(func.max(RecommenderVersion.version)))
            if latest is None or latest <= self.version:
                return False
            row = await session.get(RecommenderVersion, latest)
        if row is None:  # deleted meanwhile: a newer one is there for the next look
            return False
        snapshot = (
            await asyncio.to_thread(Snapshot.from_bytes, row.snapshot) if row.snapshot else None
        )
        async with self._lock:
            if row.version > self.version:
                self._serve(row, snapshot, _loaded(row.segments))
        return True

    def _serve(
        self, row: RecommenderVersion, snapshot: Snapshot | None, favourites: SegmentFavourites
    ) -> None:
        self.snapshot, self.segments = snapshot, favourites
        self._picks = OrderedDict()  # the previous snapshot's
        self.popular = snapshot.popular(self.settings.recommender_popular) if snapshot else []
        self.last = Training(
            version=row.version,
            trained_at=row.trained_at,
            seconds=row.seconds,
            users=row.users,
            items=row.items,
            interactions=row.interactions,
        )


def training(recommender: Recommender, seconds: float):
    """A background hook taking the scheduled training's turn at start and every `seconds`."""

    async def run(runtime) -> None:
        await every(
            seconds, lambda: recommender.take_turn(runtime.db, seconds), what="recommender training"
        )

    return run


def following(recommender: Recommender, seconds: float):
    """A background hook loading every `seconds` the latest version another replica stored."""

    async def run(runtime) -> None:
        await every(seconds, lambda: recommender.follow(runtime.db), what="recommender loading")

    return run


def _stored(favourites: SegmentFavourites) -> dict:
    return {
        str(segment): {str(post): score for post, score in posts.items()}
        for segment, posts in favourites.lists.items()
    }


def _loaded(stored: dict) -> SegmentFavourites:
    return SegmentFavourites(
        {
            UUID(segment): {UUID(post): score for post, score in posts.items()}
            for segment, posts in stored.items()
        }
    )


async def _recommender(request: Request) -> Recommender:  # async: no thread pool hop
    return request.app.state.recommender


RecommenderDep = Annotated[Recommender, Depends(_recommender)]


async def _interactions(db: Database) -> tuple[list, list, list[float]]:
    """(user, post, weight) of every view and reaction on a published post, as three lists:
    a view weighs as in a reader's interests (more with dwell time), a like or favourite by
    its kind."""
    cap_ms = DWELL_BONUS_CAP / DWELL_BONUS_PER_MINUTE * 60_000
    bonus = case(
        (Seen.dwell_ms >= cap_ms, DWELL_BONUS_CAP),
        else_=Seen.dwell_ms * (DWELL_BONUS_PER_MINUTE / 60_000),
    )
    views = select(Seen.user_id, Seen.post_id, (INTEREST["view"] + bonus).label("weight"))
    reactions = select(
        Reaction.user_id,
        Reaction.post_id,
        case(
            (Reaction.kind == ReactionKind.LIKE, INTEREST["like"]),
            else_=INTEREST["favourite"],
        ).label("weight"),
    )
    published = select(Post.id).where(Post.state == PostState.PUBLISHED)
    both = union_all(views, reactions).subquery()
    statement = select(both.c.user_id, both.c.post_id, both.c.weight).where(
        both.c.post_id.in_(published)
    )
    users, items, weights = [], [], []
    async with db.session() as session:
        # In partitions, so a million rows never hold the event loop (nor the GIL) long.
        result = await session.stream(statement.execution_options(yield_per=STREAMED))
        async for partition in result.partitions():
            for user, post, weight in partition:
                users.append(user)
                items.append(post)
                weights.append(float(weight))
    return users, items, weights
