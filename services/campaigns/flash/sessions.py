"""Flash sessions as the hot path reads them: kept in process memory after the first read,
so a reservation costs no database read for the session's terms (sessions are not edited
once set up: their terms are what customers were shown). Their state does change (catalog
holds the stock, an operator cancels, catalog delists an item's SKU): a session that may
still change is read again at most every RECHECK_SECONDS, so a replica sees another's cancel
(or a delisting another replica consumed) within that."""

import asyncio
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from chassis.db import Database
from chassis.http.problems import NotFound
from chassis.money import Money
from services.campaigns.flash.lifecycle import FINAL, SessionState
from services.campaigns.flash.models import FlashSession

RECHECK_SECONDS = 1.0


@dataclass(frozen=True)
class ItemTerms:
    id: UUID
    sku_id: UUID
    flash_price: Money
    stock: int
    per_user_limit: int
    session_id: UUID
    stopped_at: datetime | None = None  # catalog delisted the SKU: no reservation


@dataclass(frozen=True)
class SessionTerms:
    id: UUID
    name: str
    campaign_id: UUID | None
    starts_at: datetime
    ends_at: datetime
    reservation_minutes: int
    items: tuple[ItemTerms, ...]
    state: SessionState = SessionState.HELD
    read_at: float = 0.0  # time.monotonic() of the read

    def item(self, sku_id: UUID) -> ItemTerms | None:
        return next((item for item in self.items if item.sku_id == sku_id), None)

    @classmethod
    def of(cls, flash: FlashSession) -> "SessionTerms":
        return cls(
            id=flash.id,
            name=flash.name,
            campaign_id=flash.campaign_id,
            starts_at=flash.starts_at,
            ends_at=flash.ends_at,
            reservation_minutes=flash.reservation_minutes,
            items=tuple(
                ItemTerms(
                    i.id,
                    i.sku_id,
                    i.flash_price,
                    i.stock,
                    i.per_user_limit,
                    flash.id,
                    i.stopped_at,
                )
                for i in flash.items
            ),
            state=SessionState(flash.state),
            read_at=time.monotonic(),
        )

    def stale(self, at: float) -> bool:
        return self.state not in FINAL and at - self.read_at > RECHECK_SECONDS


class SessionCache:
    """The most recently used sessions' terms (a bounded LRU). Concurrent misses of one
    session make one read: at the opening second of a sale, thousands of requests miss
    together, and each reading the session would queue them all on the database pool."""

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._terms: OrderedDict[UUID, SessionTerms] = OrderedDict()
        self._reading: dict[UUID, asyncio.Lock] = {}

    async def get(self, db: Database, session_id: UUID) -> SessionTerms:
        terms = self._terms.get(session_id)
        if terms is None or terms.stale(time.monotonic()):
            reading = self._reading.setdefault(session_id, asyncio.Lock())
            if terms is not None and reading.locked():
                return terms  # being read again: meanwhile the terms of a moment ago serve
            async with reading:
                terms = self._terms.get(session_id)
                if terms is None or terms.stale(time.monotonic()):
                    terms = await self._read(db, session_id)
            self._reading.pop(session_id, None)
        self._terms.move_to_end(session_id)
        return terms

    def forget(self, session_id: UUID) -> None:
        """This process changed the session's state: the next read sees it at once."""
        self._terms.pop(session_id, None)

    async def _read(self, db: Database, session_id: UUID) -> SessionTerms:
        # A session of its own: a hit, the hot path, opens none.
        async with db.session() as session:
            flash = await session.get(FlashSession, session_id)
            if flash is None:
                raise NotFound(f"No flash session {session_id}.")
            return self.put(flash)

    def put(self, flash: FlashSession) -> SessionTerms:
        terms = self._terms[flash.id] = SessionTerms.of(flash)
        while len(self._terms) > self.size:
            self._terms.popitem(last=False)
        return terms
