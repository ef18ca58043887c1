"""Input that no database column can hold: the NUL character.

PostgreSQL refuses it in text (SQLite stores it), so without this check a name such as
"a\\u0000b" would be a 500 on one backend and data on the other. Every service refuses it
up front, in the path, the query and a JSON body, with a 422 naming the field.
"""

import json
from collections.abc import Iterator

from fastapi import Request

from chassis.http.problems import InvalidInput

NUL = "\x00"
MESSAGE = "must not contain the NUL character (\\u0000)"


async def refuse_nul(request: Request) -> None:
    """An app-wide dependency: the body is read once and cached, so this costs a scan."""
    for where, params in (("path", request.path_params), ("query", request.query_params)):
        for name, value in params.items():
            if NUL in str(value):
                raise InvalidInput(f"{where}.{name}", MESSAGE)
    if request.method in ("POST", "PUT", "PATCH"):
        body = await request.body()
        if b"\\u0000" in body:
            try:
                document = json.loads(body)
            except ValueError:
                return  # not JSON: the route's own validation says so
            for path in _nul_paths(document, ("body",)):
                raise InvalidInput(".".join(path), MESSAGE)


def _nul_paths(value: object, path: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    if isinstance(value, str):
        if NUL in value:
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            if NUL in key:
                yield path
            yield from _nul_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _nul_paths(item, (*path, str(index)))
