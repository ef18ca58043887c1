"""Coupon grants to a users segment (from the membership read model, `segments/`): one
batch of members per transaction, in user-id order.

A batch gives each member one coupon within the template's total and per-user limit
(`service.give`: the guarded total, the unique claim number) and records the member under
the grant (a primary key: once per grant); then it moves the grant's `after` to its last
member with an UPDATE that names the `after` it started from. So a batch that fails, or a
replica that dies mid-batch, leaves nothing of it, and the grant goes on from its last
committed batch; two replicas on one grant cannot both move it (the second rolls back)."""

from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.db import insert_if_absent
from chassis.http.problems import NotFound
from services.campaigns.coupons import service
from services.campaigns.coupons.models import (
    CouponTemplate,
    GrantStatus,
    SegmentGrant,
    SegmentGrantRecipient,
)
from services.campaigns.segments.models import SegmentMember

BATCH = 200


async def start(
    session: AsyncSession, template_id: UUID, segment_id: UUID, by: UUID
) -> SegmentGrant:
    """A grant of the template to the segment's members (staged: the caller commits)."""
    await service.get_template(session, template_id)  # 404 for an unknown one
    members = await session.scalar(
        select(func.count()).where(SegmentMember.segment_id == segment_id)
    )
    grant = SegmentGrant(
        template_id=template_id,
        segment_id=segment_id,
        members=members,
        status=GrantStatus.RUNNING,
        seen=0,
        granted=0,
        skipped=0,
        created_by=by,
        created_at=now(),
    )
    session.add(grant)
    await session.flush()
    return grant


async def get(session: AsyncSession, grant_id: UUID) -> SegmentGrant:
    grant = await session.get(SegmentGrant, grant_id)
    if grant is None:
        raise NotFound(f"No segment grant {grant_id}.")
    return grant


async def running(session: AsyncSession) -> list[UUID]:
    return list(
        await session.scalars(
            select(SegmentGrant.id).where(SegmentGrant.status == GrantStatus.RUNNING)
        )
    )


async def next_batch(session: AsyncSession, grant_id: UUID, size: int = BATCH) -> bool:
    """Give the next batch of the grant, in one transaction; whether members remain."""
    grant = await session.get(SegmentGrant, grant_id)
    if grant is None or grant.status != GrantStatus.RUNNING:
        return False
    template = await session.get(CouponTemplate, grant.template_id)
    members = select(SegmentMember.user_id).where(SegmentMember.segment_id == grant.segment_id)
    if grant.after is not None:
        members = members.where(SegmentMember.user_id > grant.after)
    users = list(await session.scalars(members.order_by(SegmentMember.user_id).limit(size)))
    granted = skipped = 0
    for user_id in users:
        if not await insert_if_absent(
            session, SegmentGrantRecipient.__table__, grant_id=grant.id, user_id=user_id
        ):
            continue  # handled by this grant before
        coupon = await _give(session, template, user_id)
        if coupon is None:
            skipped += 1
            continue
        granted += 1
        await session.execute(
            update(SegmentGrantRecipient)
            .where(
                SegmentGrantRecipient.grant_id == grant.id,
                SegmentGrantRecipient.user_id == user_id,
            )
            .values(coupon_id=coupon.id)
        )
    done = len(users) < size
    started_after = (
        SegmentGrant.after.is_(None) if grant.after is None else SegmentGrant.after == grant.after
    )
    moved = await session.execute(
        update(SegmentGrant)
        .where(
            SegmentGrant.id == grant.id,
            SegmentGrant.status == GrantStatus.RUNNING,
            started_after,
        )
        .values(
            after=users[-1] if users else grant.after,
            seen=SegmentGrant.seen + len(users),
            granted=SegmentGrant.granted + granted,
            skipped=SegmentGrant.skipped + skipped,
            status=GrantStatus.DONE if done else GrantStatus.RUNNING,
            finished_at=now() if done else None,
        )
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        await session.rollback()  # another replica moved the grant first: its batch stands
        return False
    await session.commit()
    return not done


async def _give(session: AsyncSession, template: CouponTemplate, user_id: UUID):
    if await service.not_claimable(session, template) is not None:
        return None  # the total is gone, the budget spent or the campaign over
    return await service.give_next(session, template, user_id)
