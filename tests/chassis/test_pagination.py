"""Cursor pagination: cursors round-trip, bad cursors are 422s, pages neither skip nor repeat."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from sqlalchemy import String, Uuid, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chassis.db import Database, UtcDateTime
from chassis.http.problems import InvalidInput
from chassis.ids import new_id
from chassis.pagination import PageRequest, decode_cursor, encode_cursor, fetch_page


class Base(DeclarativeBase):
    pass


class Note(Base):
    __tablename__ = "notes"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    owner: Mapped[str] = mapped_column(String(20))
    written_at: Mapped[datetime] = mapped_column(UtcDateTime)


T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_cursor_round_trips_typed_values():
    values = (T0 + timedelta(microseconds=7), new_id())
    cursor = encode_cursor(values)
    assert "=" not in cursor
    assert decode_cursor(cursor, [datetime, UUID]) == values


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64 at all!",
        encode_cursor(["2026-11-25T12:00:00Z"]),  # too few values
        encode_cursor(["yesterday", "01a23132-fab7-77f4-9e94-51dc33917af1"]),  # wrong type
        "eyJhIjogMX0",  # base64 of a JSON object, not a list
    ],
)
def test_a_foreign_cursor_is_a_422_naming_the_parameter(cursor):
    with pytest.raises(InvalidInput) as raised:
        decode_cursor(cursor, [datetime, UUID])
    assert raised.value.status == 422
    assert raised.value.extra["errors"][0]["field"] == "query.cursor"


@pytest.fixture
async def db(database_url):
    database = Database(database_url("pagination"), service="test")
    await database.create_database_if_missing()
    async with database.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield database
    await database.dispose()


async def test_pages_walk_newest_first_without_gaps_or_repeats(db):
    # Three notes share one time, so only the id breaks the tie between them.
    times = [T0, T0, T0, T0 + timedelta(seconds=1), T0 + timedelta(seconds=2), T0 - timedelta(1)]
    async with db.session() as session:
        session.add_all(Note(owner="ann", written_at=t) for t in times)
        session.add(Note(owner="bob", written_at=T0))
        await session.commit()

    walked, cursor, pages = [], None, 0
    async with db.session() as session:
        while True:
            rows, cursor = await fetch_page(
                session,
                select(Note).where(Note.owner == "ann"),
                key=(Note.written_at, Note.id),
                page=PageRequest(limit=4, cursor=cursor),
            )
            walked.extend(rows)
            pages += 1
            if cursor is None:
                break

    assert pages == 2
    assert len(walked) == len(times)
    assert all(note.owner == "ann" for note in walked)
    order = [(note.written_at, note.id) for note in walked]
    assert order == sorted(order, reverse=True)


async def test_pages_walk_oldest_first_when_ascending(db):
    times = [T0, T0, T0 + timedelta(seconds=1), T0 - timedelta(1), T0 + timedelta(seconds=2)]
    async with db.session() as session:
        session.add_all(Note(owner="dee", written_at=t) for t in times)
        await session.commit()

    walked, cursor = [], None
    async with db.session() as session:
        while True:
            rows, cursor = await fetch_page(
                session,
                select(Note).where(Note.owner == "dee"),
                key=(Note.written_at, Note.id),
                page=PageRequest(limit=2, cursor=cursor),
                descending=False,
            )
            walked.extend(rows)
            if cursor is None:
                break

    order = [(note.written_at, note.id) for note in walked]
    assert len(order) == len(set(order)) == len(times)
    assert order == sorted(order)


async def test_a_full_last_page_has_no_next_cursor(db):
    async with db.session() as session:
        session.add_all(Note(owner="cy", written_at=T0) for _ in range(2))
        await session.commit()
        rows, cursor = await fetch_page(
            session,
            select(Note).where(Note.owner == "cy"),
            key=(Note.written_at, Note.id),
            page=PageRequest(limit=2),
        )
    assert len(rows) == 2
    assert cursor is None
