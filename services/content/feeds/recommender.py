"""The recommender this process serves: a snapshot trained from the interactions in the
database, retrained on a schedule and on demand, swapped in whole when a training ends.

Each replica trains its own snapshot from the same tables (the training is deterministic
for the same rows, seeded), so no model file travels between processes. Training runs in a
worker thread (`implicit` releases the GIL), so the feeds keep being served meanwhile, from
the previous snapshot, or before the first one by the rules alone.
"""

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import case, select, union_all
from threadpoolctl import threadpool_limits

from chassis.background import every
from chassis.clock import now
from chassis.db import Database
from services.content.feeds.ranking import DWELL_BONUS_CAP, DWELL_BONUS_PER_MINUTE, INTEREST
from services.content.interactions.models import Reaction, ReactionKind, Seen
from services.content.posts.models import Post
from services.content.posts.workflow import PostState
from services.content.recommend.serving import Snapshot
from services.content.settings import Settings

log = logging.getLogger(__name__)
STREAMED = 20_000  # rows per partition read while loading the interactions


@dataclass(frozen=True)
class Training:
    """What the last training learned from, and when."""

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
        self.last: Training | None = None
        self._lock = asyncio.Lock()

    async def retrain(self, db: Database) -> Training:
        """Train a new snapshot from every interaction with a published post; one training
        at a time (a request during one waits for it, then trains on what came since)."""
        async with self._lock:
            started = time.perf_counter()
            users, items, weights = await _interactions(db)
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
            self.snapshot = snapshot
            self.popular = snapshot.popular(self.settings.recommender_popular) if snapshot else []
            self.last = Training(
                trained_at=now(),
                seconds=round(time.perf_counter() - started, 3),
                users=snapshot.users if snapshot else 0,
                items=len(snapshot.items) if snapshot else 0,
                interactions=snapshot.interactions if snapshot else 0,
            )
            log.info("recommender trained", extra=vars(self.last))
            return self.last


def training(recommender: Recommender, seconds: float):
    """A background hook training at start and every `seconds` after."""

    async def run(runtime) -> None:
        await every(seconds, lambda: recommender.retrain(runtime.db), what="recommender training")

    return run


def _recommender(request: Request) -> Recommender:
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
