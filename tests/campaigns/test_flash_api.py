"""Flash sales over real HTTP (the database path): operators set up sessions inside their
campaign, customers reserve at the flash price within the limit (once the catalog of the
test platform holds the stock), anyone sees what is left."""

from datetime import UTC, datetime, timedelta

import pytest
from catalog_skus import in_state, listed_with_stock

from chassis.ids import new_id

pytestmark = pytest.mark.asyncio

FLASH = "/api/v1/campaigns/flash"
NOW = datetime.now(UTC)


def _session(**change) -> dict:
    return {
        "name": "20:00 秒杀",
        "starts_at": (NOW - timedelta(minutes=5)).isoformat(),
        "ends_at": (NOW + timedelta(hours=2)).isoformat(),
        "reservation_minutes": 10,
        "items": [
            {
                "sku_id": str(new_id()),
                "flash_price": {"amount": 99_00, "currency": "CNY"},
                "stock": 2,
                "per_user_limit": 1,
            }
        ],
    } | change


async def _create(platform, operator_token, held: bool = False, **change) -> dict:
    """A session set up; `held`: of a SKU the catalog has, once the catalog holds its stock
    (a SKU of no catalog's is refused, so its session never goes on sale)."""
    body = _session(**change)
    if held:
        body["items"][0]["sku_id"] = await listed_with_stock(platform, 10)
    async with platform.client("campaigns", operator_token) as staff:
        response = await staff.post(f"{FLASH}/sessions", json=body)
    assert response.status_code == 201, response.text
    assert response.json()["state"] == "pending"
    return await in_state(platform, response.json()["id"], "held") if held else response.json()


async def test_customers_reserve_at_the_flash_price_within_limit_and_stock(
    platform, operator_token
):
    flash = await _create(platform, operator_token, held=True)
    sku = flash["items"][0]["sku_id"]
    assert flash["items"][0]["left"] == 2
    _, first = await platform.customer()
    _, second = await platform.customer()
    _, third = await platform.customer()
    async with platform.client("campaigns", first) as customer:
        reserved = await customer.post(f"{FLASH}/{flash['id']}/reservations", json={"sku_id": sku})
        again = await customer.post(f"{FLASH}/{flash['id']}/reservations", json={"sku_id": sku})
        mine = await customer.get(f"{FLASH}/reservations/{reserved.json()['id']}")
    assert reserved.status_code == 201
    body = reserved.json()
    assert (body["status"], body["flash_price"]) == (
        "reserved",
        {"amount": 99_00, "currency": "CNY"},
    )
    waits = datetime.fromisoformat(body["expires_at"]) - datetime.fromisoformat(body["reserved_at"])
    assert waits == timedelta(minutes=10)
    assert again.status_code == 409
    assert "at most 1" in again.json()["detail"]
    assert mine.json()["id"] == body["id"]
    async with platform.client("campaigns", second) as customer:
        assert (
            await customer.post(f"{FLASH}/{flash['id']}/reservations", json={"sku_id": sku})
        ).status_code == 201
        # Another customer's reservation is as unknown as none.
        assert (await customer.get(f"{FLASH}/reservations/{body['id']}")).status_code == 404
    async with platform.client("campaigns", third) as customer:
        sold_out = await customer.post(f"{FLASH}/{flash['id']}/reservations", json={"sku_id": sku})
    assert sold_out.status_code == 409
    assert "sold out" in sold_out.json()["detail"]
    async with platform.client("campaigns") as anonymous:
        shown = (await anonymous.get(f"{FLASH}/sessions/{flash['id']}")).json()
    assert shown["items"][0]["left"] == 0


async def test_a_session_not_open_takes_no_reservation(platform, operator_token):
    flash = await _create(
        platform,
        operator_token,
        starts_at=(NOW + timedelta(days=1)).isoformat(),
        ends_at=(NOW + timedelta(days=1, hours=1)).isoformat(),
    )
    _, token = await platform.customer()
    async with platform.client("campaigns", token) as customer:
        response = await customer.post(
            f"{FLASH}/{flash['id']}/reservations", json={"sku_id": flash["items"][0]["sku_id"]}
        )
        unknown = await customer.post(
            f"{FLASH}/{new_id()}/reservations", json={"sku_id": str(new_id())}
        )
    assert response.status_code == 409
    assert unknown.status_code == 404


async def test_a_session_outside_its_campaign_is_a_conflict(platform, operator_token):
    async with platform.client("campaigns", operator_token) as staff:
        campaign = (
            await staff.post(
                "/api/v1/campaigns/campaigns",
                json={
                    "name": "Night market",
                    "kind": "flash_sale",
                    "starts_at": (NOW - timedelta(hours=1)).isoformat(),
                    "ends_at": (NOW + timedelta(hours=1)).isoformat(),
                },
            )
        ).json()
        outside = await staff.post(f"{FLASH}/sessions", json=_session(campaign_id=campaign["id"]))
        inside = await staff.post(
            f"{FLASH}/sessions",
            json=_session(
                campaign_id=campaign["id"], ends_at=(NOW + timedelta(minutes=30)).isoformat()
            ),
        )
    assert outside.status_code == 409
    assert "outside its campaign" in outside.json()["detail"]
    assert inside.status_code == 201


async def test_only_staff_set_up_sessions_and_only_signed_in_customers_reserve(
    platform, operator_token
):
    flash = await _create(platform, operator_token)
    _, token = await platform.customer()
    async with platform.client("campaigns", token) as customer:
        assert (await customer.post(f"{FLASH}/sessions", json=_session())).status_code == 403
    async with platform.client("campaigns") as anonymous:
        response = await anonymous.post(
            f"{FLASH}/{flash['id']}/reservations", json={"sku_id": flash["items"][0]["sku_id"]}
        )
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ends_at": (NOW - timedelta(hours=1)).isoformat()}, "body.ends_at"),
        ({"starts_at": "2036-01-01T00:00:00"}, "body.starts_at"),
        ({"items": []}, "body.items"),
        ({"reservation_minutes": 0}, "body.reservation_minutes"),
        ({"campaign_id": str(new_id())}, "body.campaign_id"),
    ],
)
async def test_a_bad_session_is_422_naming_the_field(platform, operator_token, change, field):
    async with platform.client("campaigns", operator_token) as staff:
        response = await staff.post(f"{FLASH}/sessions", json=_session(**change))
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [field]


async def test_a_sku_twice_in_a_session_is_422(platform, operator_token):
    item = _session()["items"][0]
    async with platform.client("campaigns", operator_token) as staff:
        response = await staff.post(f"{FLASH}/sessions", json=_session(items=[item, item]))
    assert [e["field"] for e in response.json()["errors"]] == ["body.items"]


@pytest.mark.parametrize(
    ("body", "field"), [({"quantity": 0}, "body.quantity"), ({}, "body.sku_id")]
)
async def test_a_bad_reservation_is_422_naming_the_field(platform, operator_token, body, field):
    flash = await _create(platform, operator_token)
    _, token = await platform.customer()
    payload = {"sku_id": flash["items"][0]["sku_id"]} | body if "quantity" in body else {}
    async with platform.client("campaigns", token) as customer:
        response = await customer.post(f"{FLASH}/{flash['id']}/reservations", json=payload)
        foreign = await customer.post(
            f"{FLASH}/{flash['id']}/reservations", json={"sku_id": str(new_id())}
        )
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert [e["field"] for e in foreign.json()["errors"]] == ["body.sku_id"]


async def test_a_retried_reservation_with_its_key_answers_as_the_first(platform, operator_token):
    flash = await _create(platform, operator_token, held=True)
    sku = flash["items"][0]["sku_id"]
    _, token = await platform.customer()
    path = f"{FLASH}/{flash['id']}/reservations"
    async with platform.client("campaigns", token) as customer:
        first = await customer.post(path, json={"sku_id": sku}, headers={"Idempotency-Key": "k"})
        again = await customer.post(path, json={"sku_id": sku}, headers={"Idempotency-Key": "k"})
        other = await customer.post(
            path, json={"sku_id": sku, "quantity": 2}, headers={"Idempotency-Key": "k"}
        )
    assert (first.status_code, again.status_code) == (201, 201), first.text
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert other.status_code == 422
    assert [e["field"] for e in other.json()["errors"]] == ["header.Idempotency-Key"]
    async with platform.client("campaigns") as anonymous:
        shown = (await anonymous.get(f"{FLASH}/sessions/{flash['id']}")).json()
    assert shown["items"][0]["left"] == 1  # the retry took nothing
