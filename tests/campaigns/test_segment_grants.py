"""Coupon grants to a users segment, from the membership read model: batch by batch,
each member once however the batches fail, retry or race (PostgreSQL), within the total,
with the progress shown; and the read model follows users' entries and exits."""

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from chassis.clock import now
from chassis.ids import new_id
from contracts.users import SegmentDeleted, SegmentEntered, SegmentLeft
from services.campaigns.coupons import grants, service
from services.campaigns.coupons.models import Coupon
from services.campaigns.coupons.schemas import TemplateRequest
from services.campaigns.segments import consumers
from services.campaigns.segments.models import SegmentMember


async def _consume(db, handler, event) -> None:
    """As the consumer does: the handler in a transaction of its own."""
    async with db.session() as session, session.begin():
        await handler(event, session)


async def _segment(db, size: int):
    segment, at = new_id(), now()
    users = [new_id() for _ in range(size)]
    for user in users:
        event = SegmentEntered(segment_id=segment, user_id=user, entered_at=at)
        await _consume(db, consumers.on_segment_entered, event)
    return segment, users


async def _template(db, total: int = 1_000):
    body = TemplateRequest(
        name="老客回馈 ¥10",
        kind="fixed",
        currency="CNY",
        amount_off=10_00,
        valid_days=7,
        total_quantity=total,
    )
    async with db.session() as session:
        return await service.create_template(session, body, new_id())


async def _start(db, template, segment):
    async with db.session() as session:
        grant = await grants.start(session, template.id, segment, new_id())
        await session.commit()
        return grant


async def _batch(db, grant_id, size=10) -> bool:
    async with db.session() as session:
        return await grants.next_batch(session, grant_id, size)


async def _holders(db, template) -> list:
    async with db.session() as session:
        return list(
            await session.scalars(select(Coupon.holder_id).where(Coupon.template_id == template.id))
        )


async def test_the_read_model_follows_entries_and_exits(campaigns_db):
    segment, (stays, leaves) = await _segment(campaigns_db, 2)
    at = now()
    await _consume(
        campaigns_db,
        consumers.on_segment_left,
        SegmentLeft(segment_id=segment, user_id=leaves, left_at=at),
    )
    # An old exit does not remove a newer entry; an entry delivered twice is one row.
    await _consume(
        campaigns_db,
        consumers.on_segment_left,
        SegmentLeft(segment_id=segment, user_id=stays, left_at=at - timedelta(days=1)),
    )
    again = SegmentEntered(segment_id=segment, user_id=stays, entered_at=at)
    await _consume(campaigns_db, consumers.on_segment_entered, again)
    async with campaigns_db.session() as session:
        members = list(
            await session.scalars(
                select(SegmentMember.user_id).where(SegmentMember.segment_id == segment)
            )
        )
    assert members == [stays]


async def _members(db, segment) -> list:
    async with db.session() as session:
        return list(
            await session.scalars(
                select(SegmentMember.user_id).where(SegmentMember.segment_id == segment)
            )
        )


async def test_a_deleted_segment_loses_its_members_and_takes_no_later_entry(campaigns_db):
    segment, users = await _segment(campaigns_db, 3)
    other, (kept,) = await _segment(campaigns_db, 1)
    deleted = SegmentDeleted(
        segment_id=segment, name="dormant vips", members=3, deleted_by=new_id(), deleted_at=now()
    )
    await _consume(campaigns_db, consumers.on_segment_deleted, deleted)
    await _consume(campaigns_db, consumers.on_segment_deleted, deleted)  # republished
    # An entry users published before the deletion, consumed after it (another partition).
    late = SegmentEntered(segment_id=segment, user_id=users[0], entered_at=now())
    await _consume(campaigns_db, consumers.on_segment_entered, late)
    assert await _members(campaigns_db, segment) == []
    assert await _members(campaigns_db, other) == [kept]
    template = await _template(campaigns_db)
    grant = await _start(campaigns_db, template, segment)
    assert grant.members == 0


async def test_a_grant_goes_batch_by_batch_and_resumes_after_a_failed_batch(
    campaigns_db, monkeypatch
):
    segment, users = await _segment(campaigns_db, 25)
    template = await _template(campaigns_db)
    grant = await _start(campaigns_db, template, segment)
    assert (grant.members, grant.status) == (25, "running")
    assert await _batch(campaigns_db, grant.id)  # 10 given
    give, calls = grants._give, []

    async def dies_on_the_third(session, template, user_id):
        calls.append(user_id)
        if len(calls) == 3:
            raise ConnectionError("the replica died mid-batch")
        return await give(session, template, user_id)

    monkeypatch.setattr(grants, "_give", dies_on_the_third)
    with pytest.raises(ConnectionError):
        await _batch(campaigns_db, grant.id)
    monkeypatch.setattr(grants, "_give", give)
    assert len(await _holders(campaigns_db, template)) == 10  # the failed batch left nothing
    async with campaigns_db.session() as session:
        shown = await grants.get(session, grant.id)
        assert (shown.seen, shown.granted, shown.status) == (10, 10, "running")
    while await _batch(campaigns_db, grant.id):
        pass
    assert sorted(await _holders(campaigns_db, template)) == sorted(users)
    async with campaigns_db.session() as session:
        done = await grants.get(session, grant.id)
    assert (done.seen, done.granted, done.skipped, done.status) == (25, 25, 0, "done")
    assert done.finished_at is not None
    assert not await _batch(campaigns_db, grant.id)  # done: nothing more


async def test_a_grant_stops_giving_at_the_total_and_counts_the_rest_skipped(campaigns_db):
    segment, _ = await _segment(campaigns_db, 12)
    template = await _template(campaigns_db, total=8)
    grant = await _start(campaigns_db, template, segment)
    while await _batch(campaigns_db, grant.id, size=5):
        pass
    async with campaigns_db.session() as session:
        done = await grants.get(session, grant.id)
    assert (done.seen, done.granted, done.skipped) == (12, 8, 4)
    assert len(await _holders(campaigns_db, template)) == 8


@pytest.mark.postgres
async def test_replicas_racing_on_one_grant_give_each_member_one_coupon(postgres_db):
    segment, users = await _segment(postgres_db, 60)
    template = await _template(postgres_db)
    grant = await _start(postgres_db, template, segment)

    async def replica() -> None:
        while await _batch(postgres_db, grant.id, size=7):
            pass

    await asyncio.gather(*(replica() for _ in range(4)))
    while await _batch(postgres_db, grant.id, size=7):  # what a lost race left for later
        pass
    holders = await _holders(postgres_db, template)
    assert sorted(holders) == sorted(users)  # each once
    async with postgres_db.session() as session:
        done = await grants.get(session, grant.id)
        coupons = await session.scalar(
            select(func.count()).where(Coupon.template_id == template.id)
        )
    assert (done.seen, done.granted, done.status, coupons) == (60, 60, "done", 60)
