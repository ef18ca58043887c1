"""Coupons given upon events, by operators' rules: a rule names a template, the event that
fires it and its conditions (`triggers.py`), and gives each user one coupon at most (one a
year, for a yearly occasion: a birthday).

Once per user per rule is the recipients' primary key (with the year, for a yearly occasion:
its own table), inserted before the coupon is given and in the consumer's transaction: a
redelivered event, or another event meeting the rule again (a user dormant twice), finds
the row and gives nothing. The coupon itself is taken
as a claim is (the template's total, per-user limit, campaign and budget); a user a rule
cannot give to is recorded with the reason, and not tried again."""

from uuid import UUID

from sqlalchemy import Table, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.db import insert_if_absent
from chassis.http.problems import InvalidInput, NotFound
from services.campaigns.coupons import service, triggers
from services.campaigns.coupons.models import (
    CouponTemplate,
    GrantRule,
    GrantRuleRecipient,
    GrantRuleYearlyRecipient,
)
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
    """How many coupons the rule gave (a yearly rule: one a user a year), and how many times
    it could not."""
    given = skipped = 0
    for recipients in (GrantRuleRecipient, GrantRuleYearlyRecipient):
        counted = (
            await session.execute(
                select(func.count(recipients.coupon_id), func.count(recipients.skipped)).where(
                    recipients.rule_id == rule_id
                )
            )
        ).one()
        given, skipped = given + counted[0], skipped + counted[1]
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
        recipients, key = _recipients(occasion, rule.id, user_id)
        if not await insert_if_absent(session, recipients, **key, fired_at=now()):
            continue  # fired for this user before (this year, for a yearly occasion)
        why = await service.not_claimable(session, rule.template)
        coupon = None if why else await service.give_next(session, rule.template, user_id)
        if coupon is None and why is None:
            why = "the user holds as many as the template allows"
        await session.execute(
            update(recipients)
            .where(*(recipients.c[column] == value for column, value in key.items()))
            .values(coupon_id=coupon and coupon.id, skipped=why and why[:200])
        )
        given += coupon is not None
    return given


def _recipients(occasion: Occasion, rule_id: UUID, user_id: UUID) -> tuple[Table, dict]:
    """The table recording whom the rule fired for, and the row's key: per user, or per
    user and year for a yearly occasion."""
    key = {"rule_id": rule_id, "user_id": user_id}
    if occasion.year is None:
        return GrantRuleRecipient.__table__, key
    return GrantRuleYearlyRecipient.__table__, key | {"year": occasion.year}


_CONDITIONS = ("to_stages", "from_stages", "reasons", "to_tiers")
