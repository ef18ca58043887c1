"""One ClickHouse interface and one SQL, in process (chDB) or on a server (clickhouse-connect).

Queries are ClickHouse SQL with server-side parameters (`{name:Type}`; the store's database
is `{db:Identifier}`), bound as the same text on both backends, and rows come back in the
same output format (JSONEachRow with the settings below), so a query cannot behave one way
in development and another in production. Both clients are synchronous: calls run in a
thread, bounded by a timeout, so the event loop never waits on the store.
"""

import asyncio
import threading
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from clickhouse_connect.driver.binding import format_bind_value

from chassis.http.problems import ServiceUnavailable
from services.analytics.store.rows import dumps
from services.analytics.store.schema import STATEMENTS

# Numbers as JSON numbers and times as ISO 8601 with `Z`, on either backend.
OUTPUT_SETTINGS = {"output_format_json_quote_64bit_integers": 0, "date_time_output_format": "iso"}
QUERY_TIMEOUT = 30.0  # seconds; a query that takes longer answers 503, not a hung request
CONNECT_TIMEOUT = 1.0  # a server that is down is known within about a second


class StoreUnavailable(ServiceUnavailable):
    """The event store does not answer (down, unreachable or too slow)."""


class EventStore(ABC):
    """The store's operations; subclasses run them on one backend."""

    def __init__(self, database: str, *, timeout: float = QUERY_TIMEOUT) -> None:
        self.database = database
        self.timeout = timeout
        self._schema_ready = False
        self._schema_lock = asyncio.Lock()
        # Writes are serialized: `record` reads which ids are stored, then inserts the rest.
        self.write_lock = asyncio.Lock()

    async def rows(self, sql: str, params: Mapping[str, Any] | None = None) -> list[dict]:
        await self.ensure_schema()
        text = await self._call(self._query, sql, self._bind(params))
        # One row per "\n": `splitlines()` would also break at characters such as \u2028
        # that JSONEachRow leaves unescaped inside strings.
        return [orjson.loads(line) for line in text.split("\n") if line]

    async def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> None:
        await self.ensure_schema()
        await self._call(self._query, sql, self._bind(params))

    async def insert(self, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
        await self.insert_lines(table, json_lines(rows))

    async def insert_lines(self, table: str, payload: str) -> None:
        """Insert rows already written as JSONEachRow lines (`json_lines`)."""
        if not payload:
            return
        await self.ensure_schema()
        await self._call(self._insert, table, payload)

    async def ensure_schema(self) -> None:
        """Create the database and tables if missing, once; retried on the next call if the
        store was down (so the service starts, and collects, without it)."""
        if self._schema_ready:
            return
        async with self._schema_lock:
            if not self._schema_ready:
                for statement in STATEMENTS:
                    await self._call(self._query, statement, self._bind(None))
                self._schema_ready = True

    async def close(self) -> None:  # noqa: B027 - a store with nothing to close inherits it
        """Release what the store holds; by default nothing."""

    def _bind(self, params: Mapping[str, Any] | None) -> dict[str, Any]:
        bound = {"db": self.database}
        for name, value in (params or {}).items():
            bound[name] = _param_value(value)
        return bound

    async def _call(self, fn, *args):
        try:
            return await asyncio.wait_for(asyncio.to_thread(fn, *args), self.timeout)
        except TimeoutError:
            raise StoreUnavailable(
                f"the event store did not answer within {self.timeout}s"
            ) from None

    @abstractmethod
    def _query(self, sql: str, params: dict[str, Any]) -> str:
        """Run `sql` (blocking; called in a thread) and return its JSONEachRow output."""

    @abstractmethod
    def _insert(self, table: str, payload: str) -> None:
        """Insert JSONEachRow `payload` into `table` (blocking; called in a thread)."""


class ChdbStore(EventStore):
    """ClickHouse in this process (chDB), its files under `path`.

    chDB runs one embedded server per process, on one path: every store of the process
    shares it (tests tell theirs apart by database)."""

    def __init__(self, path: Path, database: str, **options: Any) -> None:
        super().__init__(database, **options)
        self.path = path

    def _query(self, sql: str, params: dict[str, Any]) -> str:
        text_params = {name: format_bind_value(value) for name, value in params.items()}
        session, lock = _embedded(self.path)
        with lock:
            return session.query(sql, "JSONEachRow", params=text_params).data()

    def _insert(self, table: str, payload: str) -> None:
        sql = f"INSERT INTO {{db:Identifier}}.{table} FORMAT JSONEachRow\n{payload}"
        session, lock = _embedded(self.path)
        with lock:
            session.query(sql, "JSONEachRow", params={"db": self.database})


class ServerStore(EventStore):
    """A ClickHouse server over HTTP (`CLICKHOUSE_URL`, e.g. http://user:pass@host:8123)."""

    def __init__(self, url: str, database: str, **options: Any) -> None:
        super().__init__(database, **options)
        self.url = url
        self._client = None
        self._client_lock = threading.Lock()

    def _connected(self):
        import clickhouse_connect  # only where a server is configured
        from clickhouse_connect.driver.exceptions import OperationalError

        with self._client_lock:
            if self._client is None:
                try:
                    self._client = clickhouse_connect.get_client(
                        dsn=self.url,
                        connect_timeout=CONNECT_TIMEOUT,
                        send_receive_timeout=self.timeout,
                        settings=OUTPUT_SETTINGS,
                    )
                except OperationalError as error:
                    raise StoreUnavailable(f"the event store does not answer: {error}") from None
            return self._client

    def _query(self, sql: str, params: dict[str, Any]) -> str:
        from clickhouse_connect.driver.exceptions import OperationalError

        try:
            raw = self._connected().raw_query(sql, parameters=params, fmt="JSONEachRow")
        except OperationalError as error:
            raise StoreUnavailable(f"the event store does not answer: {error}") from None
        return raw.decode()

    def _insert(self, table: str, payload: str) -> None:
        from clickhouse_connect.driver.exceptions import OperationalError

        try:
            self._connected().raw_insert(
                f"{self.database}.{table}", insert_block=payload.encode(), fmt="JSONEachRow"
            )
        except OperationalError as error:
            raise StoreUnavailable(f"the event store does not answer: {error}") from None

    async def close(self) -> None:
        if self._client is not None:
            await asyncio.to_thread(self._client.close)


_sessions: dict[Path, tuple[Any, threading.Lock]] = {}
_sessions_lock = threading.Lock()


def _embedded(path: Path) -> tuple[Any, threading.Lock]:
    """The process's chDB session on `path`, opened on first use with the output settings,
    and the lock that its calls take: a session's calls from two threads at once can mix
    up their parameters (seen: "Substitution `db` is not set"), so one runs at a time
    (each query still runs on all cores inside ClickHouse)."""
    with _sessions_lock:
        if path not in _sessions:
            from chdb import session as chdb_session  # loads ClickHouse: only where used

            path.mkdir(parents=True, exist_ok=True)
            session = chdb_session.Session(str(path))
            for name, value in OUTPUT_SETTINGS.items():
                session.query(f"SET {name} = {value!r}")
            _sessions[path] = (session, threading.Lock())
        return _sessions[path]


def close_embedded() -> None:
    """Close the process's chDB sessions: before their directory goes (a session left open
    on a deleted directory crashes the process at exit). A later store opens a new one."""
    with _sessions_lock:
        for session, lock in _sessions.values():
            with lock:
                session.close()
        _sessions.clear()


def _param_value(value: Any) -> Any:
    # DateTime64(3) parameters keep their milliseconds (the client's own binding drops them).
    if isinstance(value, datetime):
        return _datetime_text(value)
    if isinstance(value, list | tuple):
        return [_param_value(item) for item in value]
    return value


def _datetime_text(value: datetime) -> str:
    # `2026-12-01 08:00:00.123`; isoformat is twice as fast as strftime, once per row.
    return value.astimezone(UTC).isoformat(" ", "milliseconds")[:23]


def json_lines(rows: Sequence[Mapping[str, Any]]) -> str:
    """`rows` as the JSONEachRow text an insert sends."""
    return "\n".join(dumps(row, default=_json_value) for row in rows)


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return _datetime_text(value)
    return str(value)  # UUIDs (for the standard library's encoder)


def open_store(settings) -> EventStore:
    """The store the settings name (`services.analytics.settings.Settings`); connects lazily."""
    options = {"timeout": settings.store_timeout_s}
    if settings.clickhouse_url:
        return ServerStore(settings.clickhouse_url, settings.store_database(), **options)
    return ChdbStore(settings.store_path(), settings.store_database(), **options)
