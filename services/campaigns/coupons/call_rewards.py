"""Coupons for content calls' winners: content's `call.winner_chosen` with a coupon reward
names the campaigns coupon template to grant (`reward.coupon_id`); the winner gets one coupon
of it, once per (call, post).

The once is the primary key of `coupon_call_rewards`, inserted before the coupon is given,
in the consumer's transaction (as a grant rule's recipients): a redelivered or republished
event finds the row and gives nothing. The coupon is taken as a claim is (the template's
total, per-user limit, campaign and budget); a winner who cannot be given one is recorded
with the reason, for an operator to make good."""

from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.db import insert_if_absent
from contracts.content import CallWinnerChosen, RewardKind
from services.campaigns.coupons import service
from services.campaigns.coupons.models import CallReward, CouponTemplate


async def reward(session: AsyncSession, event: CallWinnerChosen) -> bool:
    """Give the winner their coupon (a points reward is users'); whether one was given."""
    if event.reward.kind != RewardKind.COUPON or event.reward.coupon_id is None:
        return False
    template_id = event.reward.coupon_id
    if not await insert_if_absent(
        session,
        CallReward.__table__,
        call_id=event.call_id,
        post_id=event.post_id,
        author_id=event.author,
        rank=event.rank,
        template_id=template_id,
        rewarded_at=now(),
    ):
        return False  # rewarded (or skipped) before
    template = await session.get(CouponTemplate, template_id)
    if template is None:
        why = f"no coupon template {template_id}"
    else:
        why = await service.not_claimable(session, template)
    coupon = None if why else await service.give_next(session, template, event.author)
    if coupon is None and why is None:
        why = "the winner holds as many as the template allows"
    await session.execute(
        update(CallReward)
        .where(CallReward.call_id == event.call_id, CallReward.post_id == event.post_id)
        .values(coupon_id=coupon and coupon.id, skipped=why and why[:200])
    )
    return coupon is not None


async def of_call(session: AsyncSession, call_id: UUID) -> list[CallReward]:
    return list(
        await session.scalars(
            select(CallReward)
            .where(CallReward.call_id == call_id)
            .order_by(CallReward.rank, CallReward.post_id)
        )
    )
