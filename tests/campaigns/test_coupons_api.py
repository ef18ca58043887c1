"""Coupons over real HTTP: operators issue templates, customers claim within the limits,
list their own, and get the best price for a cart with a reason for each coupon left out."""

from datetime import UTC, datetime, timedelta

import pytest
from observe import event_about

from chassis.ids import new_id
from chassis.testing import eventually

pytestmark = pytest.mark.asyncio

COUPONS = "/api/v1/campaigns/coupons"
MINE = "/api/v1/campaigns/me/coupons"
QUOTE = "/api/v1/campaigns/quote"
TEA, CUP = str(new_id()), str(new_id())


def _template(**change) -> dict:
    return {
        "name": "¥40 off every ¥300",
        "kind": "threshold",
        "currency": "CNY",
        "amount_off": 40_00,
        "threshold": 300_00,
        "repeatable": True,
        "valid_days": 7,
        "total_quantity": 100,
        "stacking_group": "shop",
    } | change


async def _issue(platform, operator_token, **change) -> dict:
    async with platform.client("campaigns", operator_token) as staff:
        response = await staff.post(COUPONS, json=_template(**change))
    assert response.status_code == 201, response.text
    return response.json()


def _cny(amount: int) -> dict:
    return {"amount": amount, "currency": "CNY"}


async def test_a_customer_claims_within_the_limit_and_sees_only_their_coupons(
    platform, operator_token
):
    template = await _issue(platform, operator_token, per_user_limit=2)
    customer_id, token = await platform.customer()
    _, other = await platform.customer()
    async with platform.client("campaigns", token) as customer:
        claims = [await customer.post(f"{COUPONS}/{template['id']}/claims") for _ in range(3)]
        mine = (await customer.get(MINE)).json()
    assert [c.status_code for c in claims] == [201, 201, 409]
    first = claims[0].json()
    assert (first["status"], first["name"], first["kind"]) == (
        "claimed",
        template["name"],
        "threshold",
    )
    valid = datetime.fromisoformat(first["valid_until"]) - datetime.fromisoformat(
        first["valid_from"]
    )
    assert valid == timedelta(days=7)
    assert [c["id"] for c in mine["items"]] == [claims[1].json()["id"], first["id"]]
    async with platform.client("campaigns", other) as stranger:
        assert (await stranger.get(MINE)).json()["items"] == []
    async with platform.client("campaigns") as anonymous:
        remaining = (await anonymous.get(f"{COUPONS}/{template['id']}")).json()["remaining"]
    assert remaining == 98
    event = await event_about(
        platform.broker.bootstrap_servers,
        "flywheel.campaigns.coupon",
        "flywheel.campaigns.coupon.claimed.v1",
        first["id"],
    )
    assert (event["data"]["holder_id"], event["data"]["template_id"]) == (
        customer_id,
        template["id"],
    )


async def test_the_last_coupon_goes_to_one_customer(platform, operator_token):
    template = await _issue(platform, operator_token, total_quantity=1)
    statuses = []
    for _ in range(2):
        _, token = await platform.customer()
        async with platform.client("campaigns", token) as customer:
            statuses.append((await customer.post(f"{COUPONS}/{template['id']}/claims")).status_code)
    assert statuses == [201, 409]


async def test_an_expired_template_cannot_be_claimed(platform, operator_token):
    past = datetime.now(UTC) - timedelta(days=2)
    template = await _issue(
        platform,
        operator_token,
        valid_days=None,
        valid_from=past.isoformat(),
        valid_until=(past + timedelta(days=1)).isoformat(),
    )
    _, token = await platform.customer()
    async with platform.client("campaigns", token) as customer:
        response = await customer.post(f"{COUPONS}/{template['id']}/claims")
        unknown = await customer.post(f"{COUPONS}/{new_id()}/claims")
    assert response.status_code == 409
    assert "expired" in response.json()["detail"]
    assert unknown.status_code == 404


async def test_the_quote_picks_the_best_combination_and_says_why_for_the_rest(
    platform, operator_token
):
    threshold = await _issue(platform, operator_token)
    smaller = await _issue(
        platform, operator_token, kind="fixed", amount_off=10_00, threshold=0, repeatable=False
    )
    percent = await _issue(
        platform,
        operator_token,
        kind="percent",
        amount_off=0,
        threshold=0,
        repeatable=False,
        percent_off=10,
        cap=20_00,
        stacking_group="platform",
    )
    cups_only = await _issue(
        platform,
        operator_token,
        kind="fixed",
        amount_off=5_00,
        threshold=0,
        repeatable=False,
        sku_ids=[CUP],
        stacking_group="cups",
    )
    _, token = await platform.customer()
    _, other_token = await platform.customer()
    async with platform.client("campaigns", other_token) as other:
        not_mine = (await other.post(f"{COUPONS}/{smaller['id']}/claims")).json()["id"]
    async with platform.client("campaigns", token) as customer:
        held = {}
        for template in (threshold, smaller, percent, cups_only):
            held[template["id"]] = (
                await customer.post(f"{COUPONS}/{template['id']}/claims")
            ).json()["id"]
        cart = {
            "lines": [{"sku_id": TEA, "unit_price": _cny(320_00), "quantity": 2}],
            "shipping_fee": _cny(8_00),
        }
        best = (await customer.post(QUOTE, json=cart)).json()
        chosen = (
            await customer.post(QUOTE, json=cart | {"coupon_ids": [held[smaller["id"]], not_mine]})
        ).json()
        none = (await customer.post(QUOTE, json=cart | {"coupon_ids": []})).json()
    # 640: ¥40 off twice (two ¥300 steps) = 80, then 10% of 560 capped at 20.
    assert best["discount"] == _cny(100_00)
    assert best["total"] == _cny(640_00 + 8_00 - 100_00)
    assert {a["coupon_id"] for a in best["applied"]} == {held[threshold["id"]], held[percent["id"]]}
    assert best["lines"] == [
        {
            "sku_id": TEA,
            "amount": _cny(640_00),
            "unit_price": _cny(320_00),
            "campaign_id": None,  # no campaign prices TEA
            "campaign_discount": _cny(0),
            "discount": _cny(100_00),
            "pays": _cny(540_00),
        }
    ]
    assert best["campaign_discount"] == _cny(0)
    assert {r["coupon_id"]: r["reason"] for r in best["not_applied"]} == {
        held[smaller["id"]]: "stacking",
        held[cups_only["id"]]: "out_of_scope",
    }
    assert chosen["discount"] == _cny(10_00)
    assert {r["coupon_id"]: r["reason"] for r in chosen["not_applied"]} == {not_mine: "not_found"}
    assert (none["discount"], none["applied"]) == (_cny(0), [])


async def test_only_staff_issue_templates_and_only_signed_in_customers_claim(
    platform, operator_token
):
    template = await _issue(platform, operator_token)
    _, token = await platform.customer()
    async with platform.client("campaigns", token) as customer:
        assert (await customer.post(COUPONS, json=_template())).status_code == 403
    async with platform.client("campaigns") as anonymous:
        assert (await anonymous.post(f"{COUPONS}/{template['id']}/claims")).status_code == 401
        assert (await anonymous.get(MINE)).status_code == 401
        assert (await anonymous.post(QUOTE, json={"lines": []})).status_code == 401


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "fixed"}, "body.repeatable"),
        ({"amount_off": 0}, "body.amount_off"),
        ({"threshold": 0}, "body.threshold"),
        (
            {"kind": "percent", "amount_off": 0, "threshold": 0, "repeatable": False},
            "body.percent_off",
        ),
        (
            {"kind": "percent", "percent_off": 100, "amount_off": 0, "repeatable": False},
            "body.percent_off",
        ),
        ({"kind": "free_shipping", "repeatable": False, "threshold": 0}, "body.amount_off"),
        ({"valid_days": None}, "body.valid_days"),
        ({"valid_from": "2036-01-01T00:00:00Z"}, "body.valid_until"),
        (
            {
                "valid_from": "2036-01-02T00:00:00Z",
                "valid_until": "2036-01-01T00:00:00Z",
                "valid_days": None,
            },
            "body.valid_until",
        ),
        ({"total_quantity": 0}, "body.total_quantity"),
        ({"per_user_limit": 0}, "body.per_user_limit"),
        ({"stacking_group": "Shop Group"}, "body.stacking_group"),
        ({"campaign_id": str(new_id())}, "body.campaign_id"),
        ({"sku_ids": ["not-a-uuid"]}, "body.sku_ids.0"),
    ],
)
async def test_a_bad_template_is_422_naming_the_field(platform, operator_token, change, field):
    async with platform.client("campaigns", operator_token) as staff:
        response = await staff.post(COUPONS, json=_template(**change))
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [field]


@pytest.mark.parametrize(
    ("cart", "field"),
    [
        ({"lines": []}, "body.lines"),
        (
            {"lines": [{"sku_id": TEA, "unit_price": _cny(1), "quantity": 0}]},
            "body.lines.0.quantity",
        ),
        (
            {
                "lines": [
                    {"sku_id": TEA, "unit_price": _cny(1), "quantity": 1},
                    {"sku_id": CUP, "unit_price": {"amount": 1, "currency": "USD"}, "quantity": 1},
                ]
            },
            "body.lines",
        ),
        (
            {
                "lines": [{"sku_id": TEA, "unit_price": _cny(1), "quantity": 1}],
                "shipping_fee": {"amount": 1, "currency": "USD"},
            },
            "body.shipping_fee",
        ),
    ],
)
async def test_a_bad_cart_is_422_naming_the_field(platform, cart, field):
    _, token = await platform.customer()
    async with platform.client("campaigns", token) as customer:
        response = await customer.post(QUOTE, json=cart)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]


async def test_a_claim_retried_with_its_idempotency_key_answers_as_the_first(
    platform, operator_token
):
    template = await _issue(platform, operator_token, per_user_limit=3)
    _, token = await platform.customer()
    path = f"{COUPONS}/{template['id']}/claims"
    async with platform.client("campaigns", token) as customer:
        first = await customer.post(path, headers={"Idempotency-Key": "claim-1"})
        again = await customer.post(path, headers={"Idempotency-Key": "claim-1"})
        other = await customer.post(path, headers={"Idempotency-Key": "claim-2"})
        mine = (await customer.get(MINE)).json()["items"]
    assert (first.status_code, again.status_code, other.status_code) == (201, 201, 201)
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert other.json()["id"] != first.json()["id"]
    assert len(mine) == 2


async def test_operators_grant_to_a_segment_and_watch_it_finish(platform, operator_token):
    template = await _issue(platform, operator_token)
    _, customer_token = await platform.customer()
    body = {"segment_id": str(new_id())}  # no member known yet: done at once
    async with platform.client("campaigns", operator_token) as staff:
        started = await staff.post(f"{COUPONS}/{template['id']}/segment-grants", json=body)
        unknown = await staff.post(f"{COUPONS}/{new_id()}/segment-grants", json=body)
        bad = await staff.post(f"{COUPONS}/{template['id']}/segment-grants", json={})
    assert started.status_code == 202, started.text
    assert (started.json()["status"], started.json()["members"]) == ("running", 0)
    assert unknown.status_code == 404
    assert [e["field"] for e in bad.json()["errors"]] == ["body.segment_id"]

    async def finished() -> dict | None:
        async with platform.client("campaigns", operator_token) as staff:
            shown = await staff.get(f"{COUPONS}/segment-grants/{started.json()['id']}")
        return shown.json() if shown.json()["status"] == "done" else None

    assert (await eventually(finished, within=30))["seen"] == 0
    async with platform.client("campaigns", customer_token) as customer:
        refused = await customer.post(f"{COUPONS}/{template['id']}/segment-grants", json=body)
    assert refused.status_code == 403
