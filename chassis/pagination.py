"""Cursor pagination: the `limit` and `cursor` parameters, opaque keyset cursors, the page shape.

A cursor holds the sort key of the last row a page returned, so the next page starts
right after it however many rows were added meanwhile (no offsets that skip or repeat).
It is opaque to clients but not secret: the query it continues still applies its own
filters (ownership above all), so a forged cursor can only move within the caller's rows.
"""

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, Field, TypeAdapter
from pydantic_core import to_jsonable_python
from sqlalchemy import ColumnElement, Select, TypeDecorator, and_, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from chassis.http.problems import InvalidInput

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_CURSOR_LENGTH = 500

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list, and where the next one starts."""

    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page"
    )


@dataclass(frozen=True)
class PageRequest:
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None


def page_parameters(max_cursor_length: int = MAX_CURSOR_LENGTH):
    """The dependency reading `limit` and `cursor` (of at most `max_cursor_length`
    characters: a list whose cursor says more than a sort key takes a longer one). Async,
    although it awaits nothing: FastAPI runs a plain function in its thread pool."""

    async def page_request(
        limit: Annotated[
            int, Query(ge=1, le=MAX_LIMIT, description="How many items to return at most")
        ] = DEFAULT_LIMIT,
        cursor: Annotated[
            str | None,
            Query(
                max_length=max_cursor_length,
                description="`next_cursor` of the previous page; absent or empty: the first page",
            ),
        ] = None,
    ) -> PageRequest:
        return PageRequest(limit=limit, cursor=cursor or None)

    return page_request


_page_request = page_parameters()
PageDep = Annotated[PageRequest, Depends(_page_request)]


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps(to_jsonable_python(list(values)), separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).rstrip(b"=").decode()


def decode_cursor(cursor: str, types: Sequence[type]) -> tuple:
    """The values `encode_cursor` was given, as `types`; a 422 naming `query.cursor` if the
    text is not such a cursor."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return TypeAdapter(tuple[tuple(types)]).validate_json(raw)
    except ValueError:  # bad base64, bad JSON and pydantic's ValidationError alike
        raise InvalidInput("query.cursor", "is not a cursor that this list returned") from None


async def fetch_page(
    session: AsyncSession,
    statement: Select,
    *,
    key: Sequence[InstrumentedAttribute],
    page: PageRequest,
    descending: bool = True,
) -> tuple[list, str | None]:
    """Run `statement` in descending (or ascending) order of `key` from where `page.cursor`
    left off.

    `key` must be unique per row: a time and a time-ordered id lists newest first. Returns
    the rows of this page and the cursor of the next one (None when there is no more).
    """
    order = [column.desc() if descending else column.asc() for column in key]
    statement = statement.order_by(*order).limit(page.limit + 1)
    if page.cursor is not None:
        last = decode_cursor(page.cursor, [_python_type(column) for column in key])
        statement = statement.where(_beyond(key, last, descending))
    rows = list(await session.scalars(statement))
    if len(rows) <= page.limit:
        return rows, None
    rows = rows[: page.limit]
    return rows, encode_cursor([getattr(rows[-1], column.key) for column in key])


def _beyond(
    key: Sequence[InstrumentedAttribute], values: Sequence[Any], descending: bool
) -> ColumnElement[bool]:
    """`(k1, k2, ...) < (v1, v2, ...)` (`>` ascending) in tuple order, spelled out so every
    backend and every column type (with its bind processing) handles it."""

    def past(column, value):
        return column < value if descending else column > value

    return or_(
        *(
            and_(
                *(k == v for k, v in zip(key[:i], values[:i], strict=True)), past(key[i], values[i])
            )
            for i in range(len(key))
        )
    )


def _python_type(column: InstrumentedAttribute) -> type:
    column_type = column.type
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl
    return column_type.python_type
