"""Group buys over real HTTP and the real broker: operators set up templates, customers open
a group, share its code and join; a full group publishes `group.completed` with its members'
orders."""

from uuid import UUID

import publishing
import pytest
from observe import event_about
from saga_events import line, placed

from chassis.ids import new_id
from chassis.testing import eventually
from contracts.orders import Attribution

pytestmark = pytest.mark.asyncio

GROUPS = "/api/v1/campaigns/groups"
TEMPLATES = "/api/v1/campaigns/group-templates"
TEMPLATE = {
    "name": "2 人团 · 车厘子",
    "group_size": 3,
    "group_price": {"amount": 59_00, "currency": "CNY"},
    "time_limit_minutes": 60,
}


async def _template(platform, operator_token) -> dict:
    async with platform.client("campaigns", operator_token) as staff:
        response = await staff.post(TEMPLATES, json=TEMPLATE | {"sku_id": str(new_id())})
    assert response.status_code == 201, response.text
    return response.json()


async def test_customers_open_share_and_fill_a_group(platform, operator_token):
    template = await _template(platform, operator_token)
    leader_id, leader = await platform.customer()
    async with platform.client("campaigns", leader) as customer:
        opened = await customer.post(f"{TEMPLATES}/{template['id']}/groups")
    assert opened.status_code == 201, opened.text
    mine = opened.json()
    code, group_id = mine["group"]["code"], mine["group"]["id"]
    assert (mine["seat"], mine["group"]["members"], mine["group"]["size"]) == (1, 1, 3)

    # The leader orders for the group before it is full; the order is recorded as theirs.
    order = placed(UUID(leader_id), [], line(UUID(template["sku_id"]), 59_00)).model_copy(
        update={"attribution": Attribution(group_id=UUID(group_id))}
    )
    await publishing.publish_as(platform, "/flywheel/orders", order)

    async def ordered() -> bool:
        async with platform.client("campaigns", leader) as customer:
            items = (await customer.get("/api/v1/campaigns/me/groups")).json()["items"]
        return items[0]["order_id"] == str(order.order_id)

    assert await eventually(ordered, within=30)

    joiners = [await platform.customer() for _ in range(3)]
    answers = []
    for _, token in joiners:
        async with platform.client("campaigns", token) as customer:
            answers.append(await customer.post(f"{GROUPS}/{code.lower()}/members"))
    assert [a.status_code for a in answers] == [201, 201, 409]
    assert [a.json()["seat"] for a in answers[:2]] == [2, 3]
    assert answers[1].json()["group"]["status"] == "completed"
    assert answers[2].json()["detail"] == f"Group {code} is full."

    async with platform.client("campaigns") as anonymous:
        shown = await anonymous.get(f"{GROUPS}/{code}")
    assert (shown.json()["members"], shown.json()["status"]) == (3, "completed")
    assert "leader_id" not in shown.json()  # who is in a group is its members' business

    completed = await event_about(
        platform.broker.bootstrap_servers,
        "flywheel.campaigns.group",
        "flywheel.campaigns.group.completed.v1",
        group_id,
    )
    assert completed["data"]["members"] == [
        {"customer_id": leader_id, "order_id": str(order.order_id)},
        {"customer_id": joiners[0][0], "order_id": None},
        {"customer_id": joiners[1][0], "order_id": None},
    ]
    # Each customer lists only their own seats.
    async with platform.client("campaigns", joiners[2][1]) as customer:
        assert (await customer.get("/api/v1/campaigns/me/groups")).json()["items"] == []


async def test_joining_twice_unknown_codes_and_customers_setting_up_are_refused(
    platform, operator_token
):
    template = await _template(platform, operator_token)
    _, token = await platform.customer()
    async with platform.client("campaigns", token) as customer:
        code = (await customer.post(f"{TEMPLATES}/{template['id']}/groups")).json()["group"]["code"]
        again = await customer.post(f"{GROUPS}/{code}/members")
        unknown = await customer.post(f"{GROUPS}/ZZZZZZZZ/members")
        no_template = await customer.post(f"{TEMPLATES}/{new_id()}/groups")
        setting_up = await customer.post(TEMPLATES, json=TEMPLATE | {"sku_id": str(new_id())})
    assert again.status_code == 409
    assert again.json()["detail"] == f"You are already in group {code}."
    assert unknown.status_code == 404
    assert no_template.status_code == 404
    assert setting_up.status_code == 403
    async with platform.client("campaigns") as anonymous:
        assert (await anonymous.post(f"{GROUPS}/{code}/members")).status_code == 401


async def test_bad_templates_name_the_field(platform, operator_token):
    async with platform.client("campaigns", operator_token) as staff:
        too_small = await staff.post(
            TEMPLATES, json=TEMPLATE | {"sku_id": str(new_id()), "group_size": 1}
        )
        no_campaign = await staff.post(
            TEMPLATES,
            json=TEMPLATE | {"sku_id": str(new_id()), "campaign_id": str(new_id())},
        )
    assert too_small.status_code == 422
    assert [e["field"] for e in too_small.json()["errors"]] == ["body.group_size"]
    assert no_campaign.status_code == 422
    assert no_campaign.json()["errors"][0]["field"] == "body.campaign_id"
