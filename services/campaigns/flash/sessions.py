"""Flash sessions as the hot path reads them: kept in process memory after the first read,
so a reservation costs no database read for the session's terms (sessions are not edited
once set up: their terms are what customers were shown)."""

import asyncio
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from chassis.db import Database
from chassis.http.problems import NotFound
from chassis.money import Money
from services.campaigns.flash.models import FlashSession


@dataclass(frozen=True)
class ItemTerms:
    id: UUID
    sku_id: UUID
    flash_price: Money
    stock: int
    per_user_limit: int
    session_id: UUID


@dataclass(frozen=True)
class SessionTerms:
    id: UUID
    name: str
    campaign_id: UUID | None
    starts_at: datetime
    ends_at: datetime
    reservation_minutes: int
    items: tuple[ItemTerms, ...]

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
                ItemTerms(i.id, i.sku_id, i.flash_price, i.stock, i.per_user_limit, flash.id)
                for i in flash.items
            ),
        )


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
        if terms is None:
            async with self._reading.setdefault(session_id, asyncio.Lock()):
                terms = self._terms.get(session_id) or await self._read(db, session_id)
            self._reading.pop(session_id, None)
        self._terms.move_to_end(session_id)
        return terms

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
