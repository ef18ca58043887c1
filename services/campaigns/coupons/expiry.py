"""Coupons whose validity ended while they were claimed expire: one guarded UPDATE a batch
(`status = 'claimed'`, the state it leaves), each with `coupon.expired`. A locked coupon
waits for its order: if the order is cancelled the coupon is claimed again and expires at
the next turn, as does one a refund gave back."""

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events import outbox
from contracts.campaigns import CouponExpired
from services.campaigns.coupons.models import Coupon
from services.campaigns.coupons.pricing import CouponStatus

BATCH = 500


async def expire_due(session: AsyncSession, at: datetime, batch: int = BATCH) -> int:
    """Expire up to `batch` claimed coupons past their validity at `at`; how many."""
    due = (
        select(Coupon.id)
        .where(Coupon.status == CouponStatus.CLAIMED, Coupon.valid_until <= at)
        .limit(batch)
        .scalar_subquery()
    )
    expired = (
        await session.execute(
            update(Coupon)
            .where(Coupon.id.in_(due), Coupon.status == CouponStatus.CLAIMED)
            .values(status=CouponStatus.EXPIRED)
            .returning(Coupon.id, Coupon.template_id, Coupon.holder_id, Coupon.valid_until)
            .execution_options(synchronize_session=False)
        )
    ).all()
    for coupon_id, template_id, holder_id, valid_until in expired:
        coupon = await session.get(Coupon, coupon_id)
        await outbox.add(
            session,
            CouponExpired(
                coupon_id=coupon_id,
                template_id=template_id,
                campaign_id=coupon.template.campaign_id,
                holder_id=holder_id,
                valid_until=valid_until,
                expired_at=at,
            ),
        )
    await session.commit()
    return len(expired)
