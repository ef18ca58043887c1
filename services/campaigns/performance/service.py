"""Attributing paid orders to campaigns, keeping refunds, and reading a campaign's
performance."""

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import distinct, func, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.db import insert_if_absent
from contracts.orders import OrderPaid, RefundCompleted
from services.campaigns.bargains.models import Bargain, BargainTemplate
from services.campaigns.budgets.models import Budget, BudgetCharge
from services.campaigns.calendar.models import Campaign
from services.campaigns.coupons.models import Coupon, CouponTemplate
from services.campaigns.coupons.pricing import CouponStatus
from services.campaigns.flash.models import FlashReservation, FlashSession
from services.campaigns.groups.models import Group, GroupMember, GroupTemplate
from services.campaigns.performance import roi
from services.campaigns.performance.models import AttributedOrder, OrderRefund


async def attribute(session: AsyncSession, order: OrderPaid) -> None:
    """Count the paid order once for every campaign behind it."""
    campaigns = set(order.attribution.campaign_ids)
    campaigns |= set(
        await session.scalars(
            select(CouponTemplate.campaign_id)
            .join(Coupon, Coupon.template_id == CouponTemplate.id)
            .where(Coupon.order_id == order.order_id, CouponTemplate.campaign_id.is_not(None))
        )
    )
    campaigns |= set(
        await session.scalars(
            select(FlashSession.campaign_id)
            .join(FlashReservation, FlashReservation.session_id == FlashSession.id)
            .where(
                FlashReservation.order_id == order.order_id, FlashSession.campaign_id.is_not(None)
            )
        )
    )
    campaigns |= set(
        await session.scalars(
            select(GroupTemplate.campaign_id)
            .join(Group, Group.template_id == GroupTemplate.id)
            .join(GroupMember, GroupMember.group_id == Group.id)
            .where(GroupMember.order_id == order.order_id, GroupTemplate.campaign_id.is_not(None))
        )
    )
    campaigns |= set(
        await session.scalars(
            select(BargainTemplate.campaign_id)
            .join(Bargain, Bargain.template_id == BargainTemplate.id)
            .where(Bargain.order_id == order.order_id, BargainTemplate.campaign_id.is_not(None))
        )
    )
    known = set(await session.scalars(select(Campaign.id).where(Campaign.id.in_(campaigns))))
    for campaign_id in known:
        # merge: a paid event for the same order (another event id) counts it once.
        await session.merge(
            AttributedOrder(
                campaign_id=campaign_id,
                order_id=order.order_id,
                customer_id=order.customer_id,
                total=order.total.amount,
                currency=order.total.currency,
                paid_at=order.paid_at,
            )
        )


async def record_refund(session: AsyncSession, refund: RefundCompleted) -> None:
    """Keep the refund (once per refund id) for the GMV of whatever campaigns its order is
    attributed to, now or when its payment comes."""
    await insert_if_absent(
        session,
        OrderRefund.__table__,
        refund_id=refund.refund_id,
        order_id=refund.order_id,
        amount=refund.amount.amount,
        currency=refund.amount.currency,
        refunded_at=refund.completed_at,
    )


@dataclass(frozen=True)
class Performance:
    reach: int
    claims: int
    redemptions: int
    orders: int
    gmv: int  # the attributed orders' totals as paid
    refunded: int  # what their refunds gave back
    spend: int
    currency: str | None

    @property
    def net_gmv(self) -> int:
        return self.gmv - self.refunded

    @property
    def roi(self) -> float | None:
        return roi.roi(self.net_gmv, self.spend)


async def of(session: AsyncSession, campaign_id: UUID) -> Performance:
    coupons = select(Coupon).join(CouponTemplate).where(CouponTemplate.campaign_id == campaign_id)
    claims = await session.scalar(select(func.count()).select_from(coupons.subquery()))
    redemptions = await session.scalar(
        select(func.count()).select_from(
            coupons.where(Coupon.status == CouponStatus.REDEEMED).subquery()
        )
    )
    people = union(
        select(Coupon.holder_id.label("customer_id"))
        .join(CouponTemplate)
        .where(CouponTemplate.campaign_id == campaign_id),
        select(FlashReservation.customer_id)
        .join(FlashSession)
        .where(FlashSession.campaign_id == campaign_id),
        select(AttributedOrder.customer_id).where(AttributedOrder.campaign_id == campaign_id),
    ).subquery()
    reach = await session.scalar(select(func.count(distinct(people.c.customer_id))))
    budget = await session.get(Budget, campaign_id)
    attributed = select(AttributedOrder).where(AttributedOrder.campaign_id == campaign_id)
    # One currency per campaign: its budget's, or that of its first order.
    currency = (
        budget.currency
        if budget
        else await session.scalar(attributed.with_only_columns(AttributedOrder.currency).limit(1))
    )
    orders, gmv = (
        await session.execute(
            select(func.count(), func.coalesce(func.sum(AttributedOrder.total), 0)).where(
                AttributedOrder.campaign_id == campaign_id, AttributedOrder.currency == currency
            )
        )
    ).one()
    refunded = await session.scalar(
        select(func.coalesce(func.sum(OrderRefund.amount), 0))
        .join(AttributedOrder, AttributedOrder.order_id == OrderRefund.order_id)
        .where(
            AttributedOrder.campaign_id == campaign_id,
            AttributedOrder.currency == currency,
            OrderRefund.currency == currency,
        )
    )
    spend = await session.scalar(
        select(func.coalesce(func.sum(BudgetCharge.amount), 0)).where(
            BudgetCharge.campaign_id == campaign_id, BudgetCharge.released_at.is_(None)
        )
    )
    return Performance(
        reach=reach,
        claims=claims,
        redemptions=redemptions,
        orders=orders,
        gmv=int(gmv),
        refunded=int(refunded),
        spend=int(spend),
        currency=currency,
    )
