"""Campaigns over real HTTP: staff schedule them, anyone reads them, SKU prices arrive from
the catalog through the broker."""

import pytest
from observe import event_about

from chassis.ids import new_id
from chassis.testing import eventually

pytestmark = pytest.mark.asyncio

CAMPAIGNS = "/api/v1/campaigns/campaigns"
PRICES = "/api/v1/campaigns/prices"
DOUBLE_ELEVEN = {
    "name": "Double Eleven",
    "kind": "holiday_sale",
    "starts_at": "2026-11-11T00:00:00+08:00",
    "ends_at": "2026-11-12T00:00:00+08:00",
    "budget": {"amount": 50_000_000, "currency": "CNY"},
}


async def test_staff_schedule_a_campaign_that_anyone_can_read(platform, admin_token):
    async with platform.client("campaigns", admin_token) as staff:
        created = await staff.post(CAMPAIGNS, json=DOUBLE_ELEVEN)
    assert created.status_code == 201
    campaign = created.json()
    assert (campaign["state"], campaign["budget"]) == ("scheduled", DOUBLE_ELEVEN["budget"])
    assert campaign["starts_at"] == "2026-11-10T16:00:00Z"

    async with platform.client("campaigns") as anonymous:
        public = (await anonymous.get(f"{CAMPAIGNS}/{campaign['id']}")).json()
    assert public["name"] == "Double Eleven"
    assert "budget" not in public

    event = await event_about(
        platform.broker.bootstrap_servers,
        "flywheel.campaigns.campaign",
        "flywheel.campaigns.campaign.scheduled.v1",
        campaign["id"],
    )
    assert (event["data"]["kind"], event["data"]["starts_at"]) == (
        "holiday_sale",
        campaign["starts_at"],
    )
    assert event["data"]["budget"] == DOUBLE_ELEVEN["budget"]


async def test_only_staff_schedule_campaigns(platform):
    _, token = await platform.customer()
    async with platform.client("campaigns") as anonymous:
        assert (await anonymous.post(CAMPAIGNS, json=DOUBLE_ELEVEN)).status_code == 401
    async with platform.client("campaigns", token) as customer:
        forbidden = await customer.post(CAMPAIGNS, json=DOUBLE_ELEVEN)
    assert forbidden.status_code == 403
    assert forbidden.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ends_at": "2026-11-10T23:59:59+08:00"}, "body.ends_at"),
        ({"ends_at": DOUBLE_ELEVEN["starts_at"]}, "body.ends_at"),
        ({"starts_at": "2026-11-11T00:00:00"}, "body.starts_at"),
        ({"kind": "clearance"}, "body.kind"),
        ({"name": " "}, "body.name"),
        ({"budget": {"amount": -1, "currency": "CNY"}}, "body.budget.amount"),
        ({"budget": {"amount": 1, "currency": "cny"}}, "body.budget.currency"),
    ],
)
async def test_a_bad_plan_is_422_naming_the_field(platform, admin_token, change, field):
    async with platform.client("campaigns", admin_token) as staff:
        response = await staff.post(CAMPAIGNS, json={**DOUBLE_ELEVEN, **change})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]


async def test_an_unknown_campaign_is_404(platform):
    async with platform.client("campaigns") as anonymous:
        response = await anonymous.get(f"{CAMPAIGNS}/{new_id()}")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_sku_prices_arrive_from_the_catalog(platform, admin_token):
    price = {"amount": 12_900, "currency": "CNY"}
    async with platform.client("catalog", admin_token) as catalog:
        created = await catalog.post(
            "/api/v1/catalog/products", json={"name": "Kettle", "price": price}
        )
    product_id = created.json()["id"]

    async with platform.client("campaigns", admin_token) as staff:

        async def known() -> dict | None:
            response = await staff.get(f"{PRICES}/{product_id}")
            return response.json() if response.status_code == 200 else None

        assert await eventually(known) == {"product_id": product_id, "price": price}
        assert (await staff.get(f"{PRICES}/{new_id()}")).status_code == 404


async def test_sku_prices_are_for_staff_only(platform):
    _, token = await platform.customer()
    async with platform.client("campaigns") as anonymous:
        assert (await anonymous.get(f"{PRICES}/{new_id()}")).status_code == 401
    async with platform.client("campaigns", token) as customer:
        assert (await customer.get(f"{PRICES}/{new_id()}")).status_code == 403
