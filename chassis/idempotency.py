"""Idempotent commands: a command retried with one `Idempotency-Key` answers as its first run.

How a route uses it (ADR 0009):

    @router.post("", status_code=201, responses=responses(401, 422))
    async def place_order(body: OrderRequest, session: SessionDep, customer: PrincipalDep,
                          idempotency: IdempotencyDep) -> OrderOut:
        async def place() -> OrderOut:
            return OrderOut.model_validate(await checkout.place_order(session, ...))

        return await idempotency.run(session, caller=customer.user_id, request=body,
                                     command=place, status_code=201)

The contract:
- `IdempotencyDep` reads the optional `Idempotency-Key` header (1 to 255 characters) and the
  route (method and path template). A key is scoped to the caller and the route: another
  caller's, or another route's, identical key is another command.
- `command` does the command's work in `session` and returns the response model. It does
  NOT commit: `run` stores the response beside its effects and commits once, so the effects,
  their outbox events and the stored response are one transaction. Without a key, `run`
  runs the command and commits, and nothing is stored.
- A repeat with the same key and the same request answers with the first response (status,
  body, the headers given by `headers`) plus `Idempotent-Replayed: true`, and runs nothing.
- The same key with another request (SHA-256 of the path, with its parameters, and the
  validated model's JSON) is a 422 naming `header.Idempotency-Key`, before any work.
- A command that raises stores nothing (its transaction rolls back with the claim): a retry
  with the same key runs again.
- Concurrent duplicates: the claim is the first statement of the transaction, an insert of
  the key's row that does nothing on conflict. PostgreSQL makes a duplicate wait on the
  unique key until the first transaction ends; SQLite lets one writer at a time. So the
  request that lost the race sees the winner's committed response and replays it (or, if the
  winner rolled back, becomes the one that runs), never a 500 and never a second effect.
- Keys are kept `RETENTION` (24 hours, as the IETF draft suggests) and pruned hourly by the
  service (`chassis.http.service`); a retry after that is a new command.
"""

import hashlib
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, TypeVar
from uuid import UUID

from fastapi import Depends, Header, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.db import Database, insert_if_absent
from chassis.events.tables import idempotency_keys as keys
from chassis.http.problems import InvalidInput

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
RETENTION = timedelta(hours=24)
JSON = "application/json"

Result = TypeVar("Result", bound=BaseModel)


@dataclass(frozen=True)  # pragma: no mutate (frozen or not, nothing writes one)
class Idempotency:
    """The key a request came with (or None), the route it came to and its concrete path
    (which carries the path parameters: part of the request's fingerprint)."""

    key: str | None
    route: str
    path: str

    async def run(
        self,
        session: AsyncSession,
        *,  # pragma: no mutate (callers pass these by name: `/` would accept them the same)
        caller: UUID | str,
        request: BaseModel,
        command: Callable[[], Awaitable[Result]],
        status_code: int = 200,
        headers: Callable[[Result], Mapping[str, str]] | None = None,
    ) -> Response:
        """Run `command` once per key (see the module's contract) and answer with its result."""
        if self.key is None:
            result = await command()
            await session.commit()
            return _response(status_code, result.model_dump_json(), _headers(headers, result))
        scope = {"caller": str(caller), "route": self.route, "key": self.key}
        fingerprint = self.fingerprint(request)
        # The claim: False when another request holds (or held) the key.
        if not await insert_if_absent(
            session, keys, **scope, fingerprint=fingerprint, created_at=now()
        ):
            first = (await session.execute(select(keys).filter_by(**scope))).one()
            await session.rollback()  # SQLite: give the write lock back at once
            return self.repeat(
                first.fingerprint, fingerprint, first.status_code, first.body, first.headers
            )
        result = await command()
        body, stored = result.model_dump_json(), _headers(headers, result)
        await session.execute(
            update(keys)
            .filter_by(**scope)
            .values(status_code=status_code, body=body, headers=json.dumps(stored))
        )
        await session.commit()
        return _response(status_code, body, stored)

    def fingerprint(self, request: BaseModel) -> str:
        """What a repeat must match: SHA-256 of the path (with its parameters) and the
        validated request's JSON."""
        return hashlib.sha256(f"{self.path}\n{request.model_dump_json()}".encode()).hexdigest()

    @staticmethod
    def repeat(
        first: str, fingerprint: str, status_code: int, body: str, headers: str = "{}"
    ) -> Response:
        """The answer to a repeated key: the first response (its headers as stored JSON),
        marked replayed, or a 422 when the request differs from the first one's. For a
        store other than the database's (a hot path keeping its first responses in Redis)."""
        if first != fingerprint:
            raise InvalidInput(
                f"header.{HEADER}",
                "was already used for a different request; send a new key for a new one",
            )
        return _response(status_code, body, {**json.loads(headers), REPLAYED: "true"})


def _headers(
    headers: Callable[[Result], Mapping[str, str]] | None, result: Result
) -> dict[str, str]:
    return dict(headers(result)) if headers else {}


def _response(status_code: int, body: str, headers: Mapping[str, str]) -> Response:
    return Response(body, status_code=status_code, media_type=JSON, headers=dict(headers))


async def idempotency(
    request: Request,
    key: Annotated[
        str | None,
        Header(
            alias=HEADER,
            min_length=1,
            max_length=255,
            description="Any unique string; a retry with the same key and body returns the "
            "first response (with `Idempotent-Replayed: true`) and does nothing again",
        ),
    ] = None,
) -> Idempotency:
    return Idempotency(key, f"{request.method} {request.scope['route'].path}", request.url.path)


IdempotencyDep = Annotated[Idempotency, Depends(idempotency)]


async def prune(db: Database) -> int:
    """Forget keys older than the retention window (hourly, by the service)."""
    async with db.session() as session, session.begin():
        cutoff = now() - RETENTION
        expired = keys.c.created_at < cutoff  # pragma: no mutate (<= differs by a microsecond)
        result = await session.execute(delete(keys).where(expired))
    return result.rowcount
