"""The calendar over real HTTP: operators plan drafts, see conflicts before scheduling,
schedule anyway only with a reason, cancel; the scheduler runs and ends campaigns on time;
anyone reads a campaign, only staff see its budget."""

from datetime import UTC, datetime, timedelta

import pytest
from observe import event_about

from chassis.ids import new_id
from chassis.testing import eventually

pytestmark = pytest.mark.asyncio

CAMPAIGNS = "/api/v1/campaigns/campaigns"
PRICES = "/api/v1/campaigns/prices"
TOPIC = "flywheel.campaigns.campaign"
ACTIVE = str(new_id())  # a users segment's id


def _plan(**change) -> dict:
    return {
        "name": "Double Eleven",
        "kind": "holiday_sale",
        "time_zone": "Asia/Shanghai",
        "starts_at": "2036-11-11T00:00:00",
        "ends_at": "2036-11-12T00:00:00",
        "sku_ids": [str(new_id())],
        "segments": [ACTIVE],
        "channels": ["app", "web"],
        "budget": {"amount": 50_000_000, "currency": "CNY"},
    } | change


async def _draft(staff, **change) -> dict:
    created = await staff.post(CAMPAIGNS, json=_plan(**change))
    assert created.status_code == 201, created.text
    return created.json()


async def test_an_operator_plans_a_draft_in_their_zone_and_schedules_it(platform, operator_token):
    async with platform.client("campaigns", operator_token) as staff:
        draft = await _draft(staff)
        assert (draft["state"], draft["time_zone"]) == ("draft", "Asia/Shanghai")
        assert (draft["starts_at"], draft["ends_at"]) == (
            "2036-11-10T16:00:00Z",
            "2036-11-11T16:00:00Z",
        )
        scheduled = await staff.post(f"{CAMPAIGNS}/{draft['id']}/schedule", json={})
    assert scheduled.status_code == 200
    assert scheduled.json()["state"] == "scheduled"

    async with platform.client("campaigns") as anonymous:
        public = (await anonymous.get(f"{CAMPAIGNS}/{draft['id']}")).json()
    assert (public["name"], public["state"]) == ("Double Eleven", "scheduled")
    assert "budget" not in public
    assert "segments" not in public

    event = await event_about(
        platform.broker.bootstrap_servers,
        TOPIC,
        "flywheel.campaigns.campaign.scheduled.v1",
        draft["id"],
    )
    assert (event["data"]["kind"], event["data"]["starts_at"]) == (
        "holiday_sale",
        "2036-11-10T16:00:00Z",
    )
    assert event["data"]["budget"] == _plan()["budget"]
    assert event["data"]["sku_ids"] == draft["sku_ids"]
    assert event["data"]["segments"] == draft["segments"] == [ACTIVE]


async def test_campaigns_on_one_segment_id_conflict_however_the_id_is_written(
    platform, operator_token
):
    segment = new_id()
    async with platform.client("campaigns", operator_token) as staff:
        first = await _draft(staff, sku_ids=[], segments=[str(segment).upper()])
        assert first["segments"] == [str(segment)]  # kept as users' ids are written
        assert (await staff.post(f"{CAMPAIGNS}/{first['id']}/schedule", json={})).is_success
        second = await _draft(staff, sku_ids=[], segments=[segment.hex, str(new_id())])
        found = (await staff.get(f"{CAMPAIGNS}/{second['id']}/conflicts")).json()
    assert [(c["campaign_id"], c["segments"]) for c in found] == [(first["id"], [str(segment)])]


async def test_conflicts_are_reported_before_scheduling_and_overridden_only_with_a_reason(
    platform, operator_token
):
    sku = str(new_id())
    async with platform.client("campaigns", operator_token) as staff:
        first = await _draft(staff, sku_ids=[sku], segments=[])
        assert (await staff.post(f"{CAMPAIGNS}/{first['id']}/schedule", json={})).is_success
        # Overlaps the first by one hour, on the same SKU.
        second = await _draft(
            staff,
            sku_ids=[sku, str(new_id())],
            segments=[],
            starts_at="2036-11-11T23:00:00",
            ends_at="2036-11-13T00:00:00",
        )
        reported = (await staff.get(f"{CAMPAIGNS}/{second['id']}/conflicts")).json()
        refused = await staff.post(f"{CAMPAIGNS}/{second['id']}/schedule", json={})
        still = (await staff.get(f"{CAMPAIGNS}/{second['id']}/staff")).json()
        forced = await staff.post(
            f"{CAMPAIGNS}/{second['id']}/schedule",
            json={"override_reason": "brand asked for both"},
        )
    expected = [
        {"campaign_id": first["id"], "name": "Double Eleven", "sku_ids": [sku], "segments": []}
    ]
    assert reported == expected
    assert refused.status_code == 409
    assert refused.json()["conflicts"] == expected
    assert still["state"] == "draft"
    assert forced.status_code == 200
    assert (forced.json()["state"], forced.json()["override_reason"]) == (
        "scheduled",
        "brand asked for both",
    )


async def test_the_scheduler_runs_and_ends_campaigns_on_time(platform, operator_token):
    start = datetime.now(UTC) - timedelta(minutes=1)
    async with platform.client("campaigns", operator_token) as staff:
        ended = await _draft(
            staff,
            time_zone="UTC",
            starts_at=start.isoformat(),
            ends_at=(start + timedelta(seconds=63)).isoformat(),
            sku_ids=[],
            segments=[],
        )
        running = await _draft(
            staff,
            time_zone="UTC",
            starts_at=start.isoformat(),
            ends_at=(start + timedelta(days=1)).isoformat(),
            sku_ids=[],
            segments=[],
        )
        for campaign in (ended, running):
            assert (await staff.post(f"{CAMPAIGNS}/{campaign['id']}/schedule", json={})).is_success

        async def state_of(campaign) -> str:
            return (await staff.get(f"{CAMPAIGNS}/{campaign['id']}")).json()["state"]

        async def moved() -> bool:
            return (await state_of(ended), await state_of(running)) == ("ended", "running")

        assert await eventually(moved, within=30)
    for type_ in ("started", "ended"):
        await event_about(
            platform.broker.bootstrap_servers,
            TOPIC,
            f"flywheel.campaigns.campaign.{type_}.v1",
            ended["id"],
        )


async def test_a_cancelled_campaign_stays_cancelled(platform, operator_token):
    async with platform.client("campaigns", operator_token) as staff:
        draft = await _draft(staff, sku_ids=[])
        cancelled = await staff.post(
            f"{CAMPAIGNS}/{draft['id']}/cancel", json={"reason": "supplier pulled out"}
        )
        again = await staff.post(f"{CAMPAIGNS}/{draft['id']}/cancel", json={"reason": "again"})
        schedule = await staff.post(f"{CAMPAIGNS}/{draft['id']}/schedule", json={})
    assert (cancelled.json()["state"], cancelled.json()["cancel_reason"]) == (
        "cancelled",
        "supplier pulled out",
    )
    assert again.status_code == schedule.status_code == 409
    event = await event_about(
        platform.broker.bootstrap_servers,
        TOPIC,
        "flywheel.campaigns.campaign.cancelled.v1",
        draft["id"],
    )
    assert event["data"]["reason"] == "supplier pulled out"


async def test_a_campaign_whose_window_passed_cannot_be_scheduled(platform, operator_token):
    async with platform.client("campaigns", operator_token) as staff:
        draft = await _draft(staff, starts_at="2020-01-01T00:00:00", ends_at="2020-01-02T00:00:00")
        response = await staff.post(f"{CAMPAIGNS}/{draft['id']}/schedule", json={})
    assert response.status_code == 409


async def test_only_staff_plan_and_schedule_campaigns(platform, operator_token):
    _, token = await platform.customer()
    async with platform.client("campaigns", operator_token) as staff:
        draft = await _draft(staff)
    async with platform.client("campaigns") as anonymous:
        assert (await anonymous.post(CAMPAIGNS, json=_plan())).status_code == 401
    async with platform.client("campaigns", token) as customer:
        forbidden = await customer.post(CAMPAIGNS, json=_plan())
        for path in ("schedule", "cancel"):
            response = await customer.post(f"{CAMPAIGNS}/{draft['id']}/{path}", json={})
            assert response.status_code in (403, 422)
        assert (await customer.get(f"{CAMPAIGNS}/{draft['id']}/staff")).status_code == 403
        assert (await customer.get(f"{CAMPAIGNS}/{draft['id']}/conflicts")).status_code == 403
    assert forbidden.status_code == 403
    assert forbidden.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ends_at": "2036-11-10T23:59:59"}, "body.ends_at"),
        ({"ends_at": "2036-11-11T00:00:00"}, "body.ends_at"),
        ({"starts_at": "2036-03-09T02:30:00", "time_zone": "America/New_York"}, "body.starts_at"),
        ({"time_zone": "Mars/Olympus"}, "body.time_zone"),
        ({"kind": "clearance"}, "body.kind"),
        ({"channels": ["pigeon"]}, "body.channels.0"),
        ({"segments": ["active"]}, "body.segments.0"),  # a name: segments are named by id
        ({"segments": [ACTIVE, ACTIVE]}, "body.segments"),
        ({"sku_ids": ["0190f5a0-0000-7000-8000-000000000001"] * 2}, "body.sku_ids"),
        ({"name": " "}, "body.name"),
        ({"budget": {"amount": -1, "currency": "CNY"}}, "body.budget.amount"),
        ({"budget": {"amount": 1, "currency": "cny"}}, "body.budget.currency"),
    ],
)
async def test_a_bad_plan_is_422_naming_the_field(platform, operator_token, change, field):
    async with platform.client("campaigns", operator_token) as staff:
        response = await staff.post(CAMPAIGNS, json=_plan(**change))
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]


async def test_an_unknown_campaign_is_404(platform, operator_token):
    async with platform.client("campaigns", operator_token) as staff:
        for path in ("", "/staff", "/conflicts"):
            response = await staff.get(f"{CAMPAIGNS}/{new_id()}{path}")
            assert response.status_code == 404
        assert (await staff.post(f"{CAMPAIGNS}/{new_id()}/schedule", json={})).status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_sku_prices_arrive_from_the_catalog(platform, admin_token, operator_token):
    price = {"amount": 12_900, "currency": "CNY"}
    async with platform.client("catalog", admin_token) as catalog:
        created = await catalog.post(
            "/api/v1/catalog/products", json={"name": "Kettle", "price": price}
        )
    product_id = created.json()["id"]

    async with platform.client("campaigns", operator_token) as staff:

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


async def test_operators_read_a_campaigns_budget_and_performance(platform, operator_token):
    async with platform.client("campaigns", operator_token) as staff:
        draft = await _draft(staff)
        budget = (await staff.get(f"{CAMPAIGNS}/{draft['id']}/budget")).json()
        performance = (await staff.get(f"{CAMPAIGNS}/{draft['id']}/performance")).json()
        unknown = await staff.get(f"{CAMPAIGNS}/{new_id()}/performance")
    assert (budget["budget"], budget["spent"], budget["exhausted_at"]) == (
        _plan()["budget"],
        {"amount": 0, "currency": "CNY"},
        None,
    )
    assert performance == {
        "campaign_id": draft["id"],
        "reach": 0,
        "claims": 0,
        "redemptions": 0,
        "orders": 0,
        "gmv": {"amount": 0, "currency": "CNY"},
        "refunded": {"amount": 0, "currency": "CNY"},
        "net_gmv": {"amount": 0, "currency": "CNY"},
        "spend": {"amount": 0, "currency": "CNY"},
        "roi": None,
    }
    assert unknown.status_code == 404
    _, token = await platform.customer()
    async with platform.client("campaigns", token) as customer:
        for path in ("budget", "performance"):
            assert (await customer.get(f"{CAMPAIGNS}/{draft['id']}/{path}")).status_code == 403
