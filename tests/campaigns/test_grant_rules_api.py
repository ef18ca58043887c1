"""Grant rules through the service: operators set them up (only operators; bad conditions
are a 422 naming the field), and users' lifecycle events through the real broker give the
coupon once per user per rule."""

from functools import partial

import publishing
import pytest
from grants_setup import COUPONS, RULES, fixed, held, posted_rule, posted_template
from grants_setup import lifecycle_changed as moved

from chassis.ids import new_id
from chassis.testing import eventually

pytestmark = pytest.mark.asyncio


@pytest.fixture
def publish(platform):
    """Lifecycle changes as users' relay publishes them: keyed by user, in order."""
    return partial(publishing.publish_as, platform, "/flywheel/users")


async def _template(staff, name: str) -> str:
    return await posted_template(
        staff, name=name, amount_off=15_00, valid_days=14, per_user_limit=5
    )


async def test_lifecycle_events_through_the_broker_give_each_rules_coupon_once(
    platform, operator_token, publish
):
    async with platform.client("campaigns", operator_token) as staff:
        win_back, welcome_back = (
            await _template(staff, "想你了 ¥15"),
            await _template(staff, "欢迎回来"),
        )
        rule = await posted_rule(
            staff, name="win-back", template_id=win_back, trigger="lifecycle", to_stages=["dormant"]
        )
        await posted_rule(
            staff,
            name="welcome back",
            template_id=welcome_back,
            trigger="lifecycle",
            to_stages=["active", "new"],
            reasons=["reactivated"],
        )
    user_id, token = await platform.customer()
    await publish(
        moved(user_id, "dormant", "active", "inactive"),
        moved(user_id, "dormant", "active", "inactive"),  # the rule met a second time
        moved(user_id, "active", "dormant", "reactivated"),  # last: the others came before
    )

    async def given() -> list[dict] | None:
        # Rules of other tests on the shared platform (the demo's win-back) may give this user
        # theirs too: only these two rules' coupons are this test's.
        coupons = await held(platform, token, win_back, welcome_back)
        return coupons if any(c["template_id"] == welcome_back for c in coupons) else None

    mine = [c["template_id"] for c in await eventually(given, within=30)]
    assert sorted(mine) == sorted([win_back, welcome_back])
    async with platform.client("campaigns", operator_token) as staff:
        shown = (await staff.get(f"{RULES}/{rule['id']}")).json()
    assert (shown["granted"], shown["skipped"], shown["active"]) == (1, 0, True)


async def test_operators_stop_a_rule_and_customers_cannot_touch_one(platform, operator_token):
    async with platform.client("campaigns", operator_token) as staff:
        template = await _template(staff, "gold")
        body = {"name": "gold", "template_id": template, "trigger": "tier", "to_tiers": ["gold"]}
        created = (await staff.post(RULES, json=body)).json()
        stopped = await staff.patch(f"{RULES}/{created['id']}", json={"active": False})
        assert stopped.status_code == 200
        assert stopped.json()["active"] is False
        assert (await staff.get(f"{RULES}/{new_id()}")).status_code == 404
    _, token = await platform.customer()
    async with platform.client("campaigns", token) as customer:
        assert (await customer.post(RULES, json=body)).status_code == 403
        assert (await customer.get(f"{RULES}/{created['id']}")).status_code == 403
        assert (
            await customer.patch(f"{RULES}/{created['id']}", json={"active": True})
        ).status_code == 403


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"to_stages": []}, "body.to_stages"),  # a lifecycle rule on every move: refused
        ({"to_tiers": ["gold"]}, "body.to_tiers"),  # a tier's condition on a lifecycle rule
        ({"trigger": "registration"}, "body.to_stages"),
        ({"trigger": "anniversary"}, "body.trigger"),
        ({"trigger": "birthday"}, "body.to_stages"),  # a birthday rule takes no conditions
        ({"to_stages": ["asleep"]}, "body.to_stages.0"),
        ({"template_id": str(new_id())}, "body.template_id"),
    ],
)
async def test_a_bad_rule_is_422_naming_the_field(platform, operator_token, change, field):
    async with platform.client("campaigns", operator_token) as staff:
        body = {
            "name": "win-back",
            "template_id": await _template(staff, "x"),
            "trigger": "lifecycle",
            "to_stages": ["dormant"],
        } | change
        response = await staff.post(RULES, json=body)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [field]


async def test_a_template_grants_on_no_trigger_that_needs_conditions(platform, operator_token):
    async with platform.client("campaigns", operator_token) as staff:
        terms = fixed(name="x", amount_off=1_00, valid_days=1, total=1)
        response = await staff.post(COUPONS, json=terms | {"grant_on": "lifecycle"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["body.grant_on"]
