"""Streamed CSV responses: a header, one line per row, formulas neutralised, sent in chunks."""

import asyncio
import csv
import io

import httpx
from fastapi import FastAPI

from chassis.http.csv_export import CHUNK, csv_response, neutral


def _app(count: int) -> FastAPI:
    app = FastAPI()

    @app.get("/export")
    async def export():
        async def rows():
            for n in range(count):
                yield [n, f"name {n}", "=HYPERLINK(1)" if n == 0 else "-", -n]

        return csv_response(["n", "name", "note", "negative"], rows(), "things.csv")

    return app


async def _get(app: FastAPI) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get("/export")


async def test_a_csv_has_its_header_a_line_per_row_and_no_formulas():
    response = await _get(_app(3))

    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="things.csv"'
    assert list(csv.reader(io.StringIO(response.text))) == [
        ["n", "name", "note", "negative"],
        ["0", "name 0", "'=HYPERLINK(1)", "0"],
        ["1", "name 1", "'-", "-1"],
        ["2", "name 2", "'-", "-2"],
    ]


async def test_a_large_export_is_sent_in_chunks_as_rows_come():
    """At the ASGI level (httpx's ASGI transport gathers the body): one message per chunk."""
    count = 20_000  # about 500 KB
    bodies: list[bytes] = []

    requests = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive():
        if requests:
            return requests.pop()
        await asyncio.Event().wait()  # the client stays connected until the body is sent

    async def send(message):
        if message["type"] == "http.response.body":
            bodies.append(message.get("body", b""))

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "path": "/export",
        "raw_path": b"/export",
        "query_string": b"",
        "headers": [],
        "scheme": "http",
        "server": ("test", 80),
        "client": ("test", 1),
        "root_path": "",
    }
    await _app(count)(scope, receive, send)

    sent = [body for body in bodies if body]
    assert len(sent) > 2
    assert all(len(body) < 2 * CHUNK for body in sent)
    assert b"".join(sent).count(b"\r\n") == count + 1


def test_only_text_that_starts_a_formula_is_quoted():
    assert [neutral(c) for c in ("@SUM", "+1", "\tx", "\rx", "a=b", "", 5, -5, None)] == [
        "'@SUM",
        "'+1",
        "'\tx",
        "'\rx",
        "a=b",
        "",
        5,
        -5,
        None,
    ]
