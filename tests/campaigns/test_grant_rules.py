"""Coupons given by operators' grant rules upon users' events: which events meet a rule,
once per user per rule however often they come (and under racing deliveries, PostgreSQL),
within the template's limits, the outcome recorded; templates granted on registration kept
as rules by the migration."""

import asyncio
from datetime import UTC, datetime, timedelta

import grants_setup
import pytest
from alembic import command
from grants_setup import consume, given
from grants_setup import lifecycle_changed as lifecycle
from sqlalchemy import insert, select

from chassis.db import Database
from chassis.ids import new_id
from contracts.users import (
    Tier,
    TierChanged,
    TierReason,
    UserRegistered,
)
from services.campaigns.app import SCHEMA
from services.campaigns.coupons import consumers, grant_rules, service
from services.campaigns.coupons.models import (
    Coupon,
    CouponTemplate,
    GrantRule,
    GrantRuleRecipient,
)
from services.campaigns.coupons.schemas import GrantRuleRequest, TemplateRequest
from services.campaigns.coupons.triggers import Conditions, GrantTrigger, Occasion, meets

LIFECYCLE = GrantTrigger.LIFECYCLE


@pytest.mark.parametrize(
    ("occasion", "conditions", "met"),
    [
        (
            Occasion(LIFECYCLE, to_stage="dormant"),
            Conditions(to_stages=frozenset({"dormant"})),
            True,
        ),
        (
            Occasion(LIFECYCLE, to_stage="active"),
            Conditions(to_stages=frozenset({"dormant"})),
            False,
        ),
        (
            Occasion(LIFECYCLE, to_stage="active", from_stage="dormant", reason="reactivated"),
            Conditions(to_stages=frozenset({"active", "new"}), reasons=frozenset({"reactivated"})),
            True,
        ),
        (
            Occasion(LIFECYCLE, to_stage="active", from_stage="new", reason="new_period_over"),
            Conditions(to_stages=frozenset({"active"}), reasons=frozenset({"reactivated"})),
            False,
        ),
        (
            Occasion(LIFECYCLE, to_stage="active", from_stage="churned"),
            Conditions(to_stages=frozenset({"active"}), from_stages=frozenset({"dormant"})),
            False,
        ),
        (
            Occasion(GrantTrigger.TIER, to_tier="gold"),
            Conditions(to_stages=frozenset({"gold"})),
            False,
        ),
        (Occasion(GrantTrigger.REGISTRATION), Conditions(), True),
    ],
)
def test_an_occasion_meets_a_rule_when_every_condition_holds_its_value(occasion, conditions, met):
    assert (
        meets(
            occasion, LIFECYCLE if occasion.trigger == LIFECYCLE else occasion.trigger, conditions
        )
        is met
    )


def test_an_occasion_of_another_trigger_meets_no_rule():
    assert not meets(Occasion(GrantTrigger.REGISTRATION), LIFECYCLE, Conditions())


async def _template(db, total=100, per_user_limit=1):
    return await grants_setup.template(
        db,
        name="回来啦 ¥15",
        amount_off=15_00,
        valid_days=14,
        total=total,
        per_user_limit=per_user_limit,
    )


async def _rule(db, template, **conditions):
    return await grants_setup.rule(db, template, name="win-back", trigger="lifecycle", **conditions)


async def _outcomes(db, rule_id) -> tuple[int, int]:
    async with db.session() as session:
        return await grant_rules.outcomes(session, rule_id)


async def test_a_win_back_rule_gives_once_per_user_however_often_its_event_comes(campaigns_db):
    template = await _template(campaigns_db, per_user_limit=3)  # the rule's once, not the limit
    rule = await _rule(campaigns_db, template, to_stages=["dormant"])
    user, other = new_id(), new_id()
    dormant = lifecycle(user, "dormant")
    await consume(campaigns_db, consumers.on_lifecycle_changed, dormant)
    await consume(campaigns_db, consumers.on_lifecycle_changed, dormant)  # redelivered
    await consume(
        campaigns_db,
        consumers.on_lifecycle_changed,
        lifecycle(user, "active", "dormant", "reactivated"),
    )
    await consume(campaigns_db, consumers.on_lifecycle_changed, lifecycle(user, "dormant"))  # again
    await consume(
        campaigns_db, consumers.on_lifecycle_changed, lifecycle(other, "churned", "dormant")
    )
    coupons = await given(campaigns_db, template.id)
    assert [(c.holder_id, c.status) for c in coupons] == [(user, "claimed")]
    assert await _outcomes(campaigns_db, rule.id) == (1, 0)


async def test_a_first_order_rule_and_a_tier_rule_fire_on_their_own_events(campaigns_db):
    first_order = await _template(campaigns_db)
    gold = await _template(campaigns_db)
    await _rule(campaigns_db, first_order, to_stages=["new"], reasons=["first_order"])
    async with campaigns_db.session() as session:
        body = GrantRuleRequest(name="gold", template_id=gold.id, trigger="tier", to_tiers=["gold"])
        await grant_rules.create(session, body, new_id())
    buyer, upgraded = new_id(), new_id()
    await consume(
        campaigns_db,
        consumers.on_lifecycle_changed,
        lifecycle(buyer, "new", "potential", "first_order"),
    )
    tier = TierChanged(
        user_id=upgraded,
        from_tier=Tier.SILVER,
        to_tier=Tier.GOLD,
        reason=TierReason.UPGRADE,
        spend_12m=5_000_00,
        review_at=None,
        changed_at=datetime.now(UTC),
    )
    await consume(campaigns_db, consumers.on_tier_changed, tier)
    await consume(
        campaigns_db,
        consumers.on_tier_changed,
        tier.model_copy(update={"user_id": buyer, "to_tier": Tier.SILVER}),
    )
    assert [c.holder_id for c in await given(campaigns_db, first_order.id)] == [buyer]
    assert [c.holder_id for c in await given(campaigns_db, gold.id)] == [upgraded]


async def test_a_stopped_rule_gives_nothing_and_a_rule_that_cannot_give_records_why(campaigns_db):
    template = await _template(campaigns_db, total=1)
    rule = await _rule(campaigns_db, template, to_stages=["dormant"])
    first, second = new_id(), new_id()
    await consume(campaigns_db, consumers.on_lifecycle_changed, lifecycle(first, "dormant"))
    await consume(campaigns_db, consumers.on_lifecycle_changed, lifecycle(second, "dormant"))
    assert [c.holder_id for c in await given(campaigns_db, template.id)] == [first]
    assert await _outcomes(campaigns_db, rule.id) == (1, 1)
    async with campaigns_db.session() as session:
        skipped = await session.get(GrantRuleRecipient, (rule.id, second))
    assert skipped.coupon_id is None
    assert "claimed" in skipped.skipped

    stopped_template = await _template(campaigns_db)
    stopped = await _rule(campaigns_db, stopped_template, to_stages=["dormant"])
    async with campaigns_db.session() as session:
        await grant_rules.set_active(session, stopped.id, False)
    await consume(campaigns_db, consumers.on_lifecycle_changed, lifecycle(new_id(), "dormant"))
    assert await given(campaigns_db, stopped_template.id) == []


async def test_a_user_at_their_per_user_limit_is_skipped(campaigns_db):
    template = await _template(campaigns_db, per_user_limit=1)
    rule = await _rule(campaigns_db, template, to_stages=["dormant"])
    user = new_id()
    async with campaigns_db.session() as session:
        await service.claim(session, template.id, user)
        await session.commit()
    await consume(campaigns_db, consumers.on_lifecycle_changed, lifecycle(user, "dormant"))
    assert len(await given(campaigns_db, template.id, user)) == 1
    assert await _outcomes(campaigns_db, rule.id) == (0, 1)


async def test_racing_deliveries_of_one_users_events_give_one_coupon(postgres_db):
    template = await _template(postgres_db, per_user_limit=5)
    await _rule(postgres_db, template, to_stages=["dormant"])
    user = new_id()

    async def deliver() -> None:
        await consume(postgres_db, consumers.on_lifecycle_changed, lifecycle(user, "dormant"))

    await asyncio.gather(*(deliver() for _ in range(10)))
    assert len(await given(postgres_db, template.id, user)) == 1


async def test_a_template_granted_on_registration_is_a_rule(campaigns_db):
    body = TemplateRequest(
        name="Welcome",
        kind="fixed",
        currency="CNY",
        amount_off=5_00,
        valid_days=7,
        total_quantity=10,
        grant_on="registration",
    )
    async with campaigns_db.session() as session:
        template = await service.create_template(session, body, new_id())
        rules = list(
            await session.scalars(select(GrantRule).where(GrantRule.template_id == template.id))
        )
    assert [(r.trigger, r.conditions) for r in rules] == [(GrantTrigger.REGISTRATION, Conditions())]
    user = new_id()
    registered = UserRegistered(
        user_id=user, email="w@example.com", registered_at=datetime.now(UTC)
    )
    await consume(campaigns_db, consumers.on_user_registered, registered)
    assert [c.holder_id for c in await given(campaigns_db, template.id)] == [user]


async def test_the_migration_keeps_registration_grants_as_rules_with_their_recipients(database_url):
    db = Database(database_url("campaigns"), service="campaigns")
    await db.create_database_if_missing()
    try:
        async with db.engine.begin() as conn:
            await conn.run_sync(lambda sync: command.upgrade(SCHEMA.config(sync), "campaigns_0014"))
        template_id, holder, coupon_id, at = new_id(), new_id(), new_id(), datetime.now(UTC)
        async with db.engine.begin() as conn:  # the tables of these two are as they were
            await conn.execute(
                insert(CouponTemplate.__table__).values(
                    id=template_id,
                    name="Welcome",
                    kind="fixed",
                    currency="CNY",
                    amount_off=5_00,
                    valid_days=7,
                    total_quantity=10,
                    claimed=1,
                    grant_on="registration",
                    created_by=new_id(),
                )
            )
            await conn.execute(
                insert(Coupon.__table__).values(
                    id=coupon_id,
                    template_id=template_id,
                    holder_id=holder,
                    claim_number=1,
                    valid_from=at,
                    valid_until=at + timedelta(days=7),
                )
            )
        async with db.engine.begin() as conn:
            await conn.run_sync(lambda sync: command.upgrade(SCHEMA.config(sync), "heads"))
        async with db.session() as session:
            rule = await session.scalar(
                select(GrantRule).where(GrantRule.template_id == template_id)
            )
            assert rule.trigger == GrantTrigger.REGISTRATION
            assert rule.active
            recipient = await session.get(GrantRuleRecipient, (rule.id, holder))
            assert recipient.coupon_id == coupon_id
        registered = UserRegistered(user_id=holder, email="w@example.com", registered_at=at)
        await consume(db, consumers.on_user_registered, registered)  # once more, years later
        assert len(await given(db, template_id, holder)) == 1
    finally:
        await db.dispose()
