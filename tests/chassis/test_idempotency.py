"""The chassis' Idempotency-Key mechanism over real HTTP, on SQLite and PostgreSQL: one effect
per key and caller and route, the first response replayed, another body refused, concurrent
duplicates waiting for the winner."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Header
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select, update

from chassis.clock import now
from chassis.db import Database
from chassis.events.tables import idempotency_keys, messaging_metadata
from chassis.http import problems
from chassis.http.deps import SessionDep
from chassis.idempotency import Idempotency, IdempotencyDep, prune
from chassis.testing import ServiceServer

pytestmark = pytest.mark.asyncio

effects_metadata = MetaData()
effects = Table(
    "effects",
    effects_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("note", String(50), nullable=False),
)


class Note(BaseModel):
    note: str


class Made(BaseModel):
    id: int
    note: str


@dataclass
class Gate:
    """Holds a command of the note "held" between its claim and its commit."""

    entered: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    failures: int = 0  # how many held commands fail after their release


def _app(db: Database, gate: Gate) -> FastAPI:
    router = APIRouter()
    Caller = Annotated[str, Header(alias="X-Caller")]

    async def make(session, body: Note) -> Made:
        if body.note == "refused":
            raise problems.Conflict("refused on purpose")
        made = await session.execute(insert(effects).values(note=body.note))
        if body.note == "held":
            gate.entered.set()
            await gate.release.wait()
            if gate.failures:
                gate.failures -= 1
                raise problems.Conflict("the held command failed")
        return Made(id=made.inserted_primary_key[0], note=body.note)

    @router.post("/effects", status_code=201, response_model=Made)
    async def create(
        body: Note, session: SessionDep, caller: Caller, idempotency: IdempotencyDep
    ) -> Response:
        return await idempotency.run(
            session,
            caller=caller,
            request=body,
            command=lambda: make(session, body),
            status_code=201,
            headers=lambda made: {"Location": f"/effects/{made.id}"},
        )

    @router.post("/notes/{slot}/effects", status_code=201, response_model=Made)
    async def create_in_slot(
        slot: int, body: Note, session: SessionDep, caller: Caller, idempotency: IdempotencyDep
    ) -> Response:
        return await idempotency.run(
            session, caller=caller, request=body, command=lambda: make(session, body)
        )

    @router.post("/other-effects", status_code=201, response_model=Made)
    async def create_other(
        body: Note, session: SessionDep, caller: Caller, idempotency: IdempotencyDep
    ) -> Response:
        return await idempotency.run(
            session, caller=caller, request=body, command=lambda: make(session, body)
        )

    app = FastAPI()
    problems.install(app)
    app.include_router(router)
    app.state.db = db
    return app


@dataclass
class Stack:
    db: Database
    client: httpx.AsyncClient
    gate: Gate

    async def post(
        self, note: str, key: str | None = "k-1", caller: str = "alice", path: str = "/effects"
    ) -> httpx.Response:
        headers = {"X-Caller": caller} | ({"Idempotency-Key": key} if key is not None else {})
        return await self.client.post(path, json={"note": note}, headers=headers)

    async def effects(self) -> int:
        async with self.db.session() as session:
            return await session.scalar(select(func.count()).select_from(effects))


@pytest.fixture
async def stack(database_url) -> AsyncIterator[Stack]:
    db = Database(database_url("idempotency"), service="probe")
    await db.create_database_if_missing()
    async with db.engine.begin() as conn:
        await conn.run_sync(messaging_metadata.create_all)
        await conn.run_sync(effects_metadata.create_all)
    gate = Gate()
    server = await ServiceServer(_app(db, gate)).start()
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
        yield Stack(db, client, gate)
    gate.release.set()
    await server.stop()
    await db.dispose()


async def test_a_repeat_replays_the_first_response_and_does_nothing_again(stack):
    first = await stack.post("tea")
    again = await stack.post("tea")

    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    location = f"/effects/{first.json()['id']}"
    assert again.headers["Location"] == first.headers["Location"] == location
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["content-type"] == "application/json"
    assert "Idempotent-Replayed" not in first.headers
    assert await stack.effects() == 1


async def test_the_same_key_with_another_body_is_a_422_naming_the_header(stack):
    await stack.post("tea")

    other = await stack.post("coffee")

    assert other.status_code == 422
    assert other.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in other.json()["errors"]] == ["header.Idempotency-Key"]
    assert await stack.effects() == 1


async def test_the_same_key_on_another_path_parameter_is_a_422(stack):
    first = await stack.post("tea", path="/notes/1/effects")
    again = await stack.post("tea", path="/notes/1/effects")
    other = await stack.post("tea", path="/notes/2/effects")

    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert other.status_code == 422
    assert [e["field"] for e in other.json()["errors"]] == ["header.Idempotency-Key"]
    assert await stack.effects() == 1


async def test_a_key_is_scoped_to_its_caller_and_its_route(stack):
    mine = await stack.post("tea")
    theirs = await stack.post("tea", caller="bob")
    elsewhere = await stack.post("tea", path="/other-effects")

    assert {mine.status_code, theirs.status_code} == {201}
    assert elsewhere.status_code == 200
    assert len({mine.json()["id"], theirs.json()["id"], elsewhere.json()["id"]}) == 3
    assert not any("Idempotent-Replayed" in r.headers for r in (theirs, elsewhere))
    assert await stack.effects() == 3


async def test_without_a_key_every_request_is_a_new_command(stack):
    first, second = await stack.post("tea", key=None), await stack.post("tea", key=None)

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] != second.json()["id"]
    assert await stack.effects() == 2
    async with stack.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(idempotency_keys)) == 0


async def test_a_command_that_fails_keeps_no_key_so_a_retry_runs_again(stack):
    refused = await stack.post("refused", key="k-retry")
    assert refused.status_code == 409

    # The key is free again: another body under it is a new command, not a 422.
    fixed = await stack.post("tea", key="k-retry")

    assert fixed.status_code == 201
    assert "Idempotent-Replayed" not in fixed.headers
    assert await stack.effects() == 1


@pytest.mark.parametrize("key", ["k", "k" * 255])
async def test_keys_of_one_to_255_characters_are_taken(stack, key):
    first, again = await stack.post("tea", key=key), await stack.post("tea", key=key)
    assert (first.status_code, again.headers["Idempotent-Replayed"]) == (201, "true")
    assert await stack.effects() == 1


@pytest.mark.parametrize("key", ["", "k" * 256])
async def test_a_malformed_key_is_a_422_naming_the_header(stack, key):
    response = await stack.post("tea", key=key)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["header.Idempotency-Key"]
    assert await stack.effects() == 0


async def test_twenty_concurrent_duplicates_have_one_effect_and_one_response(stack):
    responses = await asyncio.gather(*(stack.post("tea", key="k-burst") for _ in range(20)))

    assert {r.status_code for r in responses} == {201}
    assert len({r.content for r in responses}) == 1
    assert sum("Idempotent-Replayed" not in r.headers for r in responses) == 1
    assert await stack.effects() == 1


async def test_a_duplicate_waits_for_the_first_to_commit_and_replays_it(stack):
    first = asyncio.create_task(stack.post("held", key="k-held"))
    await asyncio.wait_for(stack.gate.entered.wait(), 30)
    duplicate = asyncio.create_task(stack.post("held", key="k-held"))
    # A window for the duplicate to reach its claim: it must block there, not answer.
    await asyncio.sleep(0.3)
    assert not duplicate.done()

    stack.gate.release.set()
    first, duplicate = await first, await duplicate

    assert (first.status_code, duplicate.status_code) == (201, 201)
    assert duplicate.content == first.content
    assert duplicate.headers["Idempotent-Replayed"] == "true"
    assert await stack.effects() == 1


async def test_when_the_first_fails_the_waiting_duplicate_runs_the_command(stack):
    stack.gate.failures = 1
    first = asyncio.create_task(stack.post("held", key="k-fails"))
    await asyncio.wait_for(stack.gate.entered.wait(), 30)
    duplicate = asyncio.create_task(stack.post("held", key="k-fails"))
    await asyncio.sleep(0.3)  # time for the duplicate to reach the claim and block there
    assert not duplicate.done()
    stack.gate.release.set()

    assert (await first).status_code == 409
    again = await duplicate
    assert again.status_code == 201
    assert "Idempotent-Replayed" not in again.headers
    assert await stack.effects() == 1


async def test_pruning_forgets_keys_past_the_retention_only(stack):
    ages = {"k-old": timedelta(hours=24, minutes=1), "k-day": timedelta(hours=23, minutes=59)}
    for key in (*ages, "k-new"):
        await stack.post(key, key=key)
    async with stack.db.session() as session, session.begin():
        for key, age in ages.items():
            await session.execute(
                update(idempotency_keys)
                .where(idempotency_keys.c.key == key)
                .values(created_at=now() - age)
            )

    assert await prune(stack.db) == 1

    async with stack.db.session() as session:
        kept = set(await session.scalars(select(idempotency_keys.c.key)))
    assert kept == {"k-day", "k-new"}  # 24 hours kept, to the minute either side
    # A forgotten key is a new command.
    assert "Idempotent-Replayed" not in (await stack.post("k-old", key="k-old")).headers
    assert await stack.effects() == 4


@pytest.mark.parametrize(("first", "again"), [("a" * 64, "b" * 64), ("b" * 64, "a" * 64)])
def test_a_repeat_of_another_request_is_refused_by_the_hot_path_store_too(first, again):
    with pytest.raises(problems.InvalidInput) as refused:
        Idempotency.repeat(first, again, 201, '{"id": 1}')
    assert [e["field"] for e in refused.value.extra["errors"]] == ["header.Idempotency-Key"]
    replayed = Idempotency.repeat(first, first, 201, '{"id": 1}', '{"Location": "/effects/1"}')
    assert (replayed.status_code, replayed.body) == (201, b'{"id": 1}')
    assert replayed.headers["Location"] == "/effects/1"
    assert replayed.headers["Idempotent-Replayed"] == "true"
