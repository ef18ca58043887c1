"""Group joins under real concurrency on PostgreSQL: shops that count members before they
insert seat a sixth member in a group of five. Here 20 racing joins seat exactly 5, a
customer racing themselves takes one seat, and the last join and the expiry cannot both win."""

import asyncio
from datetime import timedelta

import pytest
from group_buys import events, join, open_group, seats

from chassis.clock import now
from chassis.ids import new_id
from services.campaigns.groups import service
from services.campaigns.groups.models import Group
from services.campaigns.groups.rules import GroupStatus

pytestmark = pytest.mark.postgres


async def test_twenty_racing_joins_of_a_group_of_five_seat_five(postgres_db):
    group = await open_group(postgres_db, size=5)
    won = await asyncio.gather(*(join(postgres_db, group.code, new_id()) for _ in range(20)))
    assert won.count(True) == 4  # the opener holds seat 1
    assert await seats(postgres_db, group.id) == [1, 2, 3, 4, 5]
    async with postgres_db.session() as session:
        stored = await session.get(Group, group.id)
    assert (stored.members, stored.status) == (5, GroupStatus.COMPLETED)
    completed = await events(postgres_db, "flywheel.campaigns.group.completed.v1")
    assert len(completed) == 1
    assert len(completed[0]["members"]) == 5


async def test_one_customer_racing_joins_takes_one_seat(postgres_db):
    group = await open_group(postgres_db, size=5)
    customer = new_id()
    won = await asyncio.gather(*(join(postgres_db, group.code, customer) for _ in range(10)))
    assert won.count(True) == 1
    assert await seats(postgres_db, group.id) == [1, 2]
    async with postgres_db.session() as session:
        assert (await session.get(Group, group.id)).members == 2


async def test_the_last_join_and_the_expiry_racing_do_not_both_win(postgres_db):
    for _ in range(10):
        group = await open_group(postgres_db, size=2)

        async def expire():
            async with postgres_db.session() as session:
                return await service.expire_due(session, now() + timedelta(hours=2))

        joined, failed = await asyncio.gather(join(postgres_db, group.code, new_id()), expire())
        async with postgres_db.session() as session:
            status = (await session.get(Group, group.id)).status
        assert status == (GroupStatus.COMPLETED if joined else GroupStatus.FAILED)
        assert (joined, failed) in {(True, 0), (False, 1)}
