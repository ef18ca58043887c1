"""Coupons given upon events, by operators' rules: a rule names a template, the event that
fires it and its conditions (`triggers.py`), and gives each user one coupon at most.

Once per user per rule is the recipients' primary key, inserted before the coupon is given
and in the consumer's transaction: a redelivered event, or another event meeting the rule
again (a user dormant twice), finds the row and gives nothing. The coupon itself is taken
as a claim is (the template's total, per-user limit, campaign and budget); a user a rule
cannot give to is recorded with the reason, and not tried again."""

from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.db import insert_if_absent
from chassis.http.problems import InvalidInput, NotFound
from services.campaigns.coupons import service, triggers
from services.campaigns.coupons.models import CouponTemplate, GrantRule, GrantRuleRecipient
from services.campaigns.coupons.schemas import GrantRuleRequest
from services.campaigns.coupons.triggers import Occasion


async def create(session: AsyncSession, body: GrantRuleRequest, by: UUID) -> GrantRule:
    if await session.get(CouponTemplate, body.template_id) is None:
        raise InvalidInput("body.template_id", f"no coupon template {body.template_id}")
    rule = GrantRule(
        **body.model_dump(exclude={"to_stages", "from_stages", "reasons", "to_tiers"}),
        **{name: sorted(str(v) for v in getattr(body, name)) for name in _CONDITIONS},
        created_by=by,
    )
    session.add(rule)
    await session.commit()
    return rule


async def get(session: AsyncSession, rule_id: UUID) -> GrantRule:
    rule = await session.get(GrantRule, rule_id)
    if rule is None:
        raise NotFound(f"No grant rule {rule_id}.")
    return rule


async def outcomes(session: AsyncSession, rule_id: UUID) -> tuple[int, int]:
    """How many users the rule gave a coupon, and how many it could not."""
    given, skipped = (
        await session.execute(
            select(
                func.count(GrantRuleRecipient.coupon_id),
                func.count(GrantRuleRecipient.skipped),
            ).where(GrantRuleRecipient.rule_id == rule_id)
        )
    ).one()
    return given, skipped


async def set_active(session: AsyncSession, rule_id: UUID, active: bool) -> GrantRule:
    rule = await get(session, rule_id)
    rule.active = active
    await session.commit()
    return rule


async def fire(session: AsyncSession, occasion: Occasion, user_id: UUID) -> int:
    """Give `user_id` the coupon of every active rule the occasion meets and that has not
    fired for them, in the caller's (a consumer's) transaction; how many were given."""
    rules = await session.scalars(
        select(GrantRule).where(GrantRule.trigger == occasion.trigger, GrantRule.active)
    )
    given = 0
    for rule in rules:
        if not triggers.meets(occasion, rule.trigger, rule.conditions):
            continue
        if not await insert_if_absent(
            session, GrantRuleRecipient.__table__, rule_id=rule.id, user_id=user_id, fired_at=now()
        ):
            continue  # fired for this user before
        why = await service.not_claimable(session, rule.template)
        coupon = None if why else await service.give_next(session, rule.template, user_id)
        if coupon is None and why is None:
            why = "the user holds as many as the template allows"
        await session.execute(
            update(GrantRuleRecipient)
            .where(GrantRuleRecipient.rule_id == rule.id, GrantRuleRecipient.user_id == user_id)
            .values(coupon_id=coupon and coupon.id, skipped=why and why[:200])
        )
        given += coupon is not None
    return given


_CONDITIONS = ("to_stages", "from_stages", "reasons", "to_tiers")
