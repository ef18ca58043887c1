"""Streamed CSV responses: rows are written as they are produced, never the whole file held.

A route returns `csv_response(header, rows, filename)` where `rows` is an async iterable
(typically a database result streamed in chunks). Text cells that a spreadsheet would run
as a formula (starting with =, +, -, @, tab or carriage return) are prefixed with a quote,
as OWASP advises against CSV injection; numbers are written as they are.
"""

import csv
import io
from collections.abc import AsyncIterable, AsyncIterator, Sequence
from typing import Any

from fastapi.responses import StreamingResponse

MEDIA_TYPE = "text/csv; charset=utf-8"
CHUNK = 64 * 1024  # characters gathered before a chunk is sent
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutral(cell: Any) -> Any:
    """The cell as a spreadsheet should show it: text that would start a formula, quoted."""
    if isinstance(cell, str) and cell.startswith(FORMULA_START):
        return "'" + cell
    return cell


async def csv_chunks(
    header: Sequence[str], rows: AsyncIterable[Sequence[Any]]
) -> AsyncIterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    async for row in rows:
        writer.writerow([neutral(cell) for cell in row])
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_response(
    header: Sequence[str], rows: AsyncIterable[Sequence[Any]], filename: str
) -> StreamingResponse:
    return StreamingResponse(
        csv_chunks(header, rows),
        media_type=MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def csv_responses() -> dict[int | str, dict[str, Any]]:
    """The 200 of a CSV route, for its `responses=` (merge with the problems it declares)."""
    return {200: {"description": "CSV, streamed", "content": {"text/csv": {}}}}
