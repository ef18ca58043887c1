"""Campaign prices through the service: operators set them (only operators; bad prices are
a 422 naming the field), anyone reads them, and the checkout quote of a customer prices a
cart at the running campaign's price, then the coupons on it, in a response that keeps
every field orders reads."""

from datetime import UTC, datetime, timedelta

import pytest
from saga_events import holding

from chassis.ids import new_id
from chassis.testing import eventually

pytestmark = pytest.mark.asyncio

CAMPAIGNS = "/api/v1/campaigns/campaigns"


def _cny(amount: int) -> dict:
    return {"amount": amount, "currency": "CNY"}


async def _campaign(staff, sku_ids: list[str]) -> str:
    start = datetime.now(UTC) - timedelta(minutes=1)
    created = await staff.post(
        CAMPAIGNS,
        json={
            "name": "双十二 sale",
            "kind": "holiday_sale",
            "time_zone": "UTC",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(days=1)).isoformat(),
            "sku_ids": sku_ids,
        },
    )
    assert created.status_code == 201, created.text
    return created.json()["id"]


async def test_the_quote_prices_a_line_at_the_running_campaigns_price_then_the_coupons(
    platform, operator_token
):
    tea, cup = str(new_id()), str(new_id())
    async with platform.client("campaigns", operator_token) as staff:
        campaign = await _campaign(staff, [tea])
        prices = {"prices": [{"sku_id": tea, "price": _cny(150_00)}]}
        set_ = await staff.put(f"{CAMPAIGNS}/{campaign}/prices", json=prices)
        assert set_.status_code == 200, set_.text
        assert (await staff.post(f"{CAMPAIGNS}/{campaign}/schedule", json={})).is_success

        async def running() -> bool:
            return (await staff.get(f"{CAMPAIGNS}/{campaign}")).json()["state"] == "running"

        assert await eventually(running, within=30)
    _, token, coupon_id = await holding(platform, operator_token)  # ¥40 off ¥300
    async with platform.client("campaigns", token) as customer:
        cart = {
            "lines": [
                {"sku_id": tea, "unit_price": _cny(200_00), "quantity": 2},
                {"sku_id": cup, "unit_price": _cny(50_00), "quantity": 1},
            ],
            "coupon_ids": [str(coupon_id)],
        }
        quote = (await customer.post("/api/v1/campaigns/quote", json=cart)).json()
    # tea 2 x ¥150 = 300 (¥100 off its ¥400), cup 50: ¥350 at sale prices, ¥40 off it.
    assert quote["subtotal"] == _cny(450_00)
    assert quote["campaign_discount"] == _cny(100_00)
    assert quote["discount"] == _cny(40_00)
    assert quote["total"] == _cny(450_00 - 100_00 - 40_00)
    tea_line, cup_line = quote["lines"]
    assert (tea_line["campaign_id"], tea_line["unit_price"], tea_line["campaign_discount"]) == (
        campaign,
        _cny(150_00),
        _cny(100_00),
    )
    assert (cup_line["campaign_id"], cup_line["unit_price"]) == (None, _cny(50_00))
    # What orders reads, as before: each line's amount as sent and its coupon share (¥40 split
    # 300 : 50 over what the lines cost at sale prices, largest remainder: 34.29 and 5.71).
    assert [(ln["amount"], ln["discount"], ln["pays"]) for ln in quote["lines"]] == [
        (_cny(400_00), _cny(34_29), _cny(300_00 - 34_29)),
        (_cny(50_00), _cny(5_71), _cny(50_00 - 5_71)),
    ]
    async with platform.client("campaigns") as anonymous:
        shown = (await anonymous.get(f"{CAMPAIGNS}/{campaign}/prices")).json()
    assert shown == [{"campaign_id": campaign, "sku_id": tea, "price": _cny(150_00)}]


async def test_only_operators_set_campaign_prices(platform, operator_token):
    tea = str(new_id())
    async with platform.client("campaigns", operator_token) as staff:
        campaign = await _campaign(staff, [tea])
    _, token = await platform.customer()
    async with platform.client("campaigns", token) as customer:
        refused = await customer.put(
            f"{CAMPAIGNS}/{campaign}/prices",
            json={"prices": [{"sku_id": tea, "price": _cny(1_00)}]},
        )
    assert refused.status_code == 403
    async with platform.client("campaigns", operator_token) as staff:
        assert (await staff.get(f"{CAMPAIGNS}/{new_id()}/prices")).status_code == 404


@pytest.mark.parametrize(
    ("prices", "field"),
    [
        ([{"sku_id": "TEA", "price": _cny(0)}], "body.prices.0.price"),
        ([{"sku_id": "TEA", "price": _cny(1)}, {"sku_id": "TEA", "price": _cny(2)}], "body.prices"),
        ([{"sku_id": "OTHER", "price": _cny(1)}], "body.prices.0.sku_id"),
        (
            [{"sku_id": "TEA", "price": {"amount": 1, "currency": "cny"}}],
            "body.prices.0.price.currency",
        ),
    ],
)
async def test_a_bad_price_is_422_naming_the_field(platform, operator_token, prices, field):
    tea = str(new_id())
    named = {"TEA": tea, "OTHER": str(new_id())}
    body = {"prices": [p | {"sku_id": named[p["sku_id"]]} for p in prices]}
    async with platform.client("campaigns", operator_token) as staff:
        campaign = await _campaign(staff, [tea])
        response = await staff.put(f"{CAMPAIGNS}/{campaign}/prices", json=body)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [field]
