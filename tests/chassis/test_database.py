"""The service database: pooled connections the server has closed are replaced unnoticed."""

import asyncio

import asyncpg
import pytest
from sqlalchemy import text
from stack import POSTGRES

from chassis.db import Database, lock_until_commit
from chassis.ids import new_id
from chassis.testing import need


@pytest.mark.parametrize("pre_ping", [False, True], ids=["closed-check", "pre-ping"])
async def test_a_connection_the_server_closed_is_replaced_at_checkout(pre_ping):
    need("PostgreSQL", 5432)
    db = Database(f"{POSTGRES}/postgres", service="probe", pre_ping=pre_ping)
    try:
        async with db.session() as session:
            first = await session.scalar(text("SELECT pg_backend_pid()"))
        admin = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres")
        try:
            assert await admin.fetchval("SELECT pg_terminate_backend($1)", first)
        finally:
            await admin.close()
        await asyncio.sleep(0.05)  # the loop reads the server's goodbye on the idle socket
        async with db.session() as session:
            second = await session.scalar(text("SELECT pg_backend_pid()"))
    finally:
        await db.dispose()
    assert second != first


async def test_lock_until_commit_queues_transactions_about_one_key_till_the_first_ends():
    need("PostgreSQL", 5432)
    db = Database(f"{POSTGRES}/postgres", service="probe")
    key, other, order = new_id(), new_id(), []

    async def hold(name: str, on, seconds: float):
        async with db.session() as session, session.begin():
            await lock_until_commit(session, 7_000_001, on)
            order.append(f"{name} in")
            await asyncio.sleep(seconds)
            order.append(f"{name} out")

    try:
        first = asyncio.create_task(hold("first", key, 0.3))
        await asyncio.sleep(0.1)
        await asyncio.gather(hold("second", key, 0), hold("other", other, 0))
        await first
    finally:
        await db.dispose()
    # Another key does not wait; the same key waits for the first transaction to end.
    assert order == ["first in", "other in", "other out", "first out", "second in", "second out"]
