"""Birthday grant rules: `users.birthday.reached` gives the rule's coupon once per user per
rule per year (a redelivery nothing more, next year's birthday again), on both backends and
through the real broker to the customer's coupons."""

from datetime import UTC, date, datetime
from functools import partial

import grants_setup
import publishing
import pytest
from grants_setup import RULES

from chassis.ids import new_id
from chassis.testing import eventually
from contracts.users import BirthdayReached
from services.campaigns.coupons import consumers, grant_rules


def birthday(user_id, year: int) -> BirthdayReached:
    return BirthdayReached(
        user_id=user_id,
        year=year,
        on=date(year, 5, 17),
        birth_month=5,
        birth_day=17,
        time_zone="Asia/Shanghai",
        reached_at=datetime(year, 5, 16, 16, tzinfo=UTC),
    )


async def _rule(db, per_user_limit=5):
    template = await grants_setup.template(
        db, name="生日快乐 ¥20", amount_off=20_00, valid_days=30, per_user_limit=per_user_limit
    )
    return template, await grants_setup.rule(db, template, name="birthday", trigger="birthday")


async def _consume(db, event: BirthdayReached) -> None:
    await grants_setup.consume(db, consumers.on_birthday_reached, event)


async def _held(db, template_id) -> list[tuple]:
    return [(c.holder_id, c.status) for c in await grants_setup.given(db, template_id)]


async def test_a_birthday_gives_once_a_year_and_again_next_year(campaigns_db):
    template, rule = await _rule(campaigns_db)
    user, other = new_id(), new_id()
    await _consume(campaigns_db, birthday(user, 2027))
    await _consume(campaigns_db, birthday(user, 2027))  # redelivered, or announced twice
    assert await _held(campaigns_db, template.id) == [(user, "claimed")]
    await _consume(campaigns_db, birthday(user, 2028))  # next year's
    await _consume(campaigns_db, birthday(other, 2028))
    await _consume(campaigns_db, birthday(user, 2027))  # last year's, late: nothing more
    assert await _held(campaigns_db, template.id) == [
        (user, "claimed"),
        (user, "claimed"),
        (other, "claimed"),
    ]
    async with campaigns_db.session() as session:
        assert await grant_rules.outcomes(session, rule.id) == (3, 0)


async def test_a_birthday_the_template_cannot_give_to_is_recorded_once_that_year(campaigns_db):
    template, rule = await _rule(campaigns_db, per_user_limit=1)
    user = new_id()
    await _consume(campaigns_db, birthday(user, 2027))
    await _consume(campaigns_db, birthday(user, 2028))  # holds one already: the limit
    await _consume(campaigns_db, birthday(user, 2028))
    assert await _held(campaigns_db, template.id) == [(user, "claimed")]
    async with campaigns_db.session() as session:
        assert await grant_rules.outcomes(session, rule.id) == (1, 1)


@pytest.fixture
def publish(platform):
    """Birthdays as users' relay publishes them: keyed by user, in order."""
    return partial(publishing.publish_as, platform, "/flywheel/users")


async def test_a_birthday_through_the_broker_is_a_coupon_in_the_customers_wallet(
    platform, operator_token, publish
):
    async with platform.client("campaigns", operator_token) as staff:
        template_id = await grants_setup.posted_template(
            staff, name="生日快乐", amount_off=20_00, valid_days=30, per_user_limit=5
        )
        rule = await grants_setup.posted_rule(
            staff, name="birthday", template_id=template_id, trigger="birthday"
        )
        refused = await staff.post(
            RULES,
            json={
                "name": "birthday",
                "template_id": template_id,
                "trigger": "birthday",
                "to_tiers": ["gold"],
            },
        )
        assert refused.json()["errors"][0]["field"] == "body.to_tiers"
    user_id, token = await platform.customer()
    await publish(birthday(user_id, 2027), birthday(user_id, 2027), birthday(user_id, 2028))

    async def shown() -> dict | None:
        async with platform.client("campaigns", operator_token) as staff:
            found = (await staff.get(f"{RULES}/{rule['id']}")).json()
        return found if found["granted"] == 2 else None

    assert (await eventually(shown, within=30))["skipped"] == 0
    mine = await grants_setup.held(platform, token, template_id)
    assert [c["status"] for c in mine] == ["claimed", "claimed"]  # 2027's and 2028's
