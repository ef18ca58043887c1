"""Bargains over real HTTP and the real broker: operators set up templates, a customer starts
a bargain and shares it, friends cut it to the floor, `bargain.completed` is published."""

import pytest
from observe import event_about

from chassis.ids import new_id

pytestmark = pytest.mark.asyncio

BARGAINS = "/api/v1/campaigns/bargains"
TEMPLATES = "/api/v1/campaigns/bargain-templates"
TEMPLATE = {
    "name": "砍到 ¥9.9",
    "start_price": {"amount": 99_00, "currency": "CNY"},
    "floor_price": {"amount": 9_90, "currency": "CNY"},
    "helps": 3,
    "time_limit_minutes": 60,
    "order_minutes": 30,
}


async def _template(platform, operator_token) -> dict:
    async with platform.client("campaigns", operator_token) as staff:
        response = await staff.post(TEMPLATES, json=TEMPLATE | {"sku_id": str(new_id())})
    assert response.status_code == 201, response.text
    return response.json()


async def test_friends_cut_a_bargain_to_its_floor(platform, operator_token):
    template = await _template(platform, operator_token)
    starter_id, starter = await platform.customer()
    async with platform.client("campaigns", starter) as customer:
        started = await customer.post(f"{TEMPLATES}/{template['id']}/bargains")
        twice = await customer.post(f"{TEMPLATES}/{template['id']}/bargains")
        bargain_id = started.json()["id"]
        myself = await customer.post(f"{BARGAINS}/{bargain_id}/cuts")
    assert started.status_code == 201, started.text
    assert (started.json()["price"]["amount"], started.json()["status"]) == (99_00, "open")
    assert twice.status_code == 409
    assert myself.status_code == 403

    helpers = [await platform.customer() for _ in range(4)]
    answers = []
    for _, token in helpers:
        async with platform.client("campaigns", token) as friend:
            answers.append(await friend.post(f"{BARGAINS}/{bargain_id}/cuts"))
    assert [a.status_code for a in answers] == [201, 201, 201, 409]
    cut = sum(a.json()["cut"]["amount"] for a in answers[:3])
    assert cut == 99_00 - 9_90
    last = answers[2].json()["bargain"]
    assert (last["price"]["amount"], last["helps_done"], last["status"]) == (9_90, 3, "reached")
    assert answers[3].json()["detail"] == f"Bargain {bargain_id} is at its floor price already."
    async with platform.client("campaigns", helpers[0][1]) as friend:
        again = await friend.post(f"{BARGAINS}/{bargain_id}/cuts")
    assert again.status_code == 409
    assert again.json()["detail"] == f"You have helped with bargain {bargain_id} already."

    async with platform.client("campaigns") as anonymous:
        shared = (await anonymous.get(f"{BARGAINS}/{bargain_id}")).json()
    assert [c["number"] for c in shared["cuts"]] == [1, 2, 3]
    assert "helper_id" not in shared["cuts"][0]  # the shared page does not name helpers
    async with platform.client("campaigns", starter) as customer:
        mine = (await customer.get("/api/v1/campaigns/me/bargains")).json()["items"]
    assert [b["id"] for b in mine] == [bargain_id]
    async with platform.client("campaigns", helpers[0][1]) as friend:
        assert (await friend.get("/api/v1/campaigns/me/bargains")).json()["items"] == []

    completed = await event_about(
        platform.broker.bootstrap_servers,
        "flywheel.campaigns.bargain",
        "flywheel.campaigns.bargain.completed.v1",
        bargain_id,
    )
    assert completed["data"]["starter_id"] == starter_id
    assert completed["data"]["floor_price"] == {"amount": 9_90, "currency": "CNY"}
    assert completed["data"]["order_until"] == last["order_until"].replace("+00:00", "Z")


async def test_templates_are_for_operators_and_bad_ones_name_the_field(platform, operator_token):
    _, token = await platform.customer()
    async with platform.client("campaigns", token) as customer:
        refused = await customer.post(TEMPLATES, json=TEMPLATE | {"sku_id": str(new_id())})
        unknown = await customer.post(f"{BARGAINS}/{new_id()}/cuts")
    assert refused.status_code == 403
    assert unknown.status_code == 404
    async with platform.client("campaigns", operator_token) as staff:
        no_room = await staff.post(
            TEMPLATES,
            json=TEMPLATE | {"sku_id": str(new_id()), "helps": 9_000 + 1},
        )
        above = await staff.post(
            TEMPLATES,
            json=TEMPLATE
            | {"sku_id": str(new_id()), "floor_price": {"amount": 98_99, "currency": "CNY"}},
        )
    assert no_room.status_code == 422
    assert [e["field"] for e in no_room.json()["errors"]] == ["body.helps"]
    assert above.status_code == 422
    assert [e["field"] for e in above.json()["errors"]] == ["body.floor_price"]
