"""Async SQLAlchemy engine and sessions for one service's own database."""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from sqlalchemy import DateTime, Enum, Table, TypeDecorator, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session

from chassis.settings import ServiceSettings

PENDING_OUTBOX = "flywheel.outbox.pending"


class UtcDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every backend (SQLite keeps no offset itself)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC time is expected")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_column(enum: type[StrEnum]) -> Enum:
    """A portable column type storing a StrEnum by value (not name), as VARCHAR."""
    return Enum(enum, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])


class Database:
    """The engine and session factory of one service.

    A pooled PostgreSQL connection that the server has closed (a restart, a failover, an
    administrator's terminate) is noticed when it is checked out and replaced, at no cost.
    `pre_ping` adds a round-trip check at every checkout (three round trips with asyncpg,
    a fifth of a small write transaction): for networks that drop idle connections
    silently, where a closed socket never shows."""

    def __init__(
        self,
        url: str,
        *,
        service: str,
        echo: bool = False,
        pre_ping: bool = False,
        pool_size: int = 20,
        max_overflow: int = 10,
    ) -> None:
        self.url = make_url(url)
        kwargs: dict = {"echo": echo}
        if self.is_sqlite:
            # One writer at a time: a generous busy timeout instead of "database is locked".
            kwargs["connect_args"] = {"timeout": 30}
        else:
            # The pool keeps `pool_size` connections; the overflow ones are closed when given
            # back, so a concurrency above `pool_size` opens (and TLS-handshakes) connections
            # all the time: size it for the usual concurrency, the overflow for bursts.
            kwargs.update(pool_size=pool_size, max_overflow=max_overflow, pool_pre_ping=pre_ping)
        self.engine: AsyncEngine = create_async_engine(self.url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        else:
            event.listen(self.engine.sync_engine, "checkout", _discard_if_closed)
        self.on_outbox_commit: list[Callable[[], None]] = []
        session_class = type(f"{service.title()}Session", (Session,), {})
        event.listen(session_class, "after_commit", self._after_commit)
        event.listen(session_class, "after_rollback", _forget_outbox)
        self.sessions = async_sessionmaker(
            self.engine,
            expire_on_commit=False,
            sync_session_class=session_class,
            info={"service": service},
        )

    @classmethod
    def from_settings(cls, settings: ServiceSettings, *, service: str) -> "Database":
        return cls(
            settings.resolved_database_url(),
            service=service,
            pre_ping=settings.database_pre_ping,
            pool_size=settings.database_pool_size,
            max_overflow=settings.database_max_overflow,
        )

    def _after_commit(self, session: Session) -> None:
        if session.info.pop(PENDING_OUTBOX, False):
            for wake in self.on_outbox_commit:
                wake()

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session:
            yield session

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def create_database_if_missing(self) -> None:
        """Create the PostgreSQL database named in the URL (dev convenience)."""
        if self.is_sqlite:
            return
        admin = create_async_engine(self.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        try:
            async with admin.connect() as conn:
                exists = await conn.scalar(
                    text("SELECT 1 FROM pg_database WHERE datname = :name"),
                    {"name": self.url.database},
                )
                if not exists:
                    await conn.execute(text(f'CREATE DATABASE "{self.url.database}"'))
        finally:
            await admin.dispose()

    async def dispose(self) -> None:
        await self.engine.dispose()


async def insert_if_absent(session: AsyncSession, table: Table, **values: Any) -> bool:
    """Insert a row unless one with its primary key exists; whether it was inserted. The
    portable form of "at most one per key" without an IntegrityError: on PostgreSQL a
    concurrent insert of the same key waits for the other transaction, then does nothing if
    that one committed."""
    result = await session.execute(
        insert_for(session, table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=list(table.primary_key))
    )
    return result.rowcount == 1


async def lock_until_commit(
    session: AsyncSession, space: int, key: UUID, *, shared: bool = False
) -> None:
    """Hold PostgreSQL's transaction-scoped advisory lock on (`space`, `key`) until the
    transaction ends: it serializes the transactions about one thing that may have no row
    yet to lock (an order the service has not heard of). `shared` holders exclude only the
    exclusive one. Keys share 32 bits of the UUID, so two things may share a lock (and
    queue, nothing worse). A no-op on SQLite, which has one writer at a time."""
    if session.get_bind().dialect.name != "postgresql":
        return
    lock = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    await session.execute(
        text(f"SELECT {lock}(:space, :key)"),
        {"space": space, "key": int.from_bytes(key.bytes[-4:], "big", signed=True)},
    )


_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def insert_for(session: AsyncSession, table: Table):
    """An INSERT spelled for the session's database, which takes `on_conflict_do_nothing`
    and `on_conflict_do_update` (PostgreSQL and SQLite spell ON CONFLICT alike; SQLAlchemy
    has one construct per dialect)."""
    return _INSERTS[session.get_bind().dialect.name](table)


def _forget_outbox(session: Session) -> None:
    session.info.pop(PENDING_OUTBOX, None)


def _discard_if_closed(_dbapi_connection, record, _proxy) -> None:
    if record.driver_connection.is_closed():
        raise DisconnectionError("the server closed this pooled connection")  # pool retries


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
