"""Group-buy operations on both backends: opening, joining, refusals, expiry with
`group.failed`, and the orders members placed for their group."""

from datetime import timedelta

import pytest
from group_buys import events, join, open_group
from saga_events import line, placed
from sqlalchemy import select

from chassis.clock import now
from chassis.http.problems import Conflict, NotFound
from chassis.ids import new_id
from contracts.orders import Attribution
from services.campaigns.groups import service
from services.campaigns.groups.models import Group, GroupMember
from services.campaigns.groups.rules import GroupStatus


async def _join_or_why(db, code, customer_id) -> str:
    async with db.session() as session:
        try:
            await service.join(session, code, customer_id)
        except Conflict as problem:
            return problem.detail
        return "joined"


async def test_a_full_group_refuses_another_member(campaigns_db):
    group = await open_group(campaigns_db, size=2)
    assert await _join_or_why(campaigns_db, group.code, group.leader_id) == (
        f"You are already in group {group.code}."
    )
    assert await _join_or_why(campaigns_db, group.code.lower(), new_id()) == "joined"
    assert await _join_or_why(campaigns_db, group.code, new_id()) == f"Group {group.code} is full."


async def test_an_unknown_code_is_not_found(campaigns_db):
    async with campaigns_db.session() as session:
        with pytest.raises(NotFound):
            await service.join(session, "ZZZZZZZZ", new_id())
        with pytest.raises(NotFound):
            await service.by_code(session, "not a code")


async def test_an_expired_group_fails_once_and_names_its_members_orders(campaigns_db):
    group = await open_group(campaigns_db, size=3, minutes=30)
    member = new_id()
    assert await join(campaigns_db, group.code, member)
    order = placed(member, [], line()).model_copy(
        update={"attribution": Attribution(group_id=group.id)}
    )
    async with campaigns_db.session() as session, session.begin():
        assert await service.link_order(session, order)
    async with campaigns_db.session() as session, session.begin():
        assert not await service.link_order(session, order)  # redelivered: nothing new

    async def expire(at) -> int:
        async with campaigns_db.session() as session:
            return await service.expire_due(session, at)

    assert await expire(group.opened_at + timedelta(minutes=29)) == 0
    assert await expire(group.opened_at + timedelta(minutes=30)) == 1
    assert await expire(group.opened_at + timedelta(minutes=31)) == 0
    failed = [e for e in await events(campaigns_db, "flywheel.campaigns.group.failed.v1")]
    assert [e["group_id"] for e in failed] == [str(group.id)]
    assert failed[0]["members"] == [
        {"customer_id": str(group.leader_id), "order_id": None},
        {"customer_id": str(member), "order_id": str(order.order_id)},
    ]
    assert failed[0]["reason"] == "expired"
    detail = await _join_or_why(campaigns_db, group.code, new_id())
    assert detail.startswith(f"Group {group.code} expired at ")


async def test_a_group_past_its_time_refuses_joins_before_the_scheduler_runs(campaigns_db):
    group = await open_group(campaigns_db, size=3)
    async with campaigns_db.session() as session:
        stored = await session.get(Group, group.id)
        stored.expires_at = now() - timedelta(seconds=1)
        await session.commit()
    assert (await _join_or_why(campaigns_db, group.code, new_id())).startswith(
        f"Group {group.code} expired at "
    )
    async with campaigns_db.session() as session:
        stored = await session.get(Group, group.id)
        assert (stored.members, stored.status) == (1, GroupStatus.OPEN)


async def test_an_order_of_a_non_member_links_nothing(campaigns_db):
    group = await open_group(campaigns_db, size=3)
    order = placed(new_id(), [], line()).model_copy(
        update={"attribution": Attribution(group_id=group.id)}
    )
    async with campaigns_db.session() as session, session.begin():
        assert not await service.link_order(session, order)
    async with campaigns_db.session() as session:
        members = list(await session.scalars(select(GroupMember.order_id)))
    assert members == [None]


async def test_opening_publishes_the_code_and_terms(campaigns_db):
    group = await open_group(campaigns_db, size=4, minutes=90)
    [opened] = await events(campaigns_db, "flywheel.campaigns.group.opened.v1")
    assert (opened["code"], opened["size"], opened["leader_id"]) == (
        group.code,
        4,
        str(group.leader_id),
    )
    assert opened["group_price"] == {"amount": 59_00, "currency": "CNY"}
