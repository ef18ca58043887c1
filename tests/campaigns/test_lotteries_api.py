"""Lotteries over real HTTP and the real broker: operators set up a lottery whose seed hash
is public at once; customers draw with an Idempotency-Key, within their chances; operators
grant chances by key; after the close anyone reads the seed and verifies every draw."""

import hashlib
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from observe import event_about
from sqlalchemy import update

from chassis.db import Database
from chassis.ids import new_id
from chassis.testing import eventually
from services.campaigns.lotteries.models import Lottery

pytestmark = pytest.mark.asyncio

LOTTERIES = "/api/v1/campaigns/lotteries"


def _terms(seconds_open: float) -> dict:
    opens = datetime.now(UTC) + timedelta(seconds=0.5)
    return {
        "name": "年货节抽奖",
        "opens_at": opens.isoformat(),
        "closes_at": (opens + timedelta(seconds=seconds_open)).isoformat(),
        "time_zone": "Asia/Shanghai",
        "draws_per_day": 1,
        "no_prize_weight": 3,
        "prizes": [
            {"name": "耳机", "kind": "item", "weight": 1, "stock": 1},
            {"name": "50 积分", "kind": "points", "weight": 2, "stock": 100, "points": 50},
        ],
    }


async def _create(platform, operator_token, seconds_open: float) -> dict:
    async with platform.client("campaigns", operator_token) as staff:
        response = await staff.post(LOTTERIES, json=_terms(seconds_open))
    assert response.status_code == 201, response.text
    return response.json()


async def _status_is(platform, lottery_id: str, wanted: str) -> dict:
    async def reached() -> dict | None:
        async with platform.client("campaigns") as anonymous:
            shown = (await anonymous.get(f"{LOTTERIES}/{lottery_id}")).json()
        return shown if shown["status"] == wanted else None

    return await eventually(reached, within=30)


async def _close_now(platform, lottery_id: str) -> None:
    db = Database(platform.database_url("campaigns"), service="campaigns")
    try:
        async with db.engine.begin() as conn:
            closes = update(Lottery).where(Lottery.id == UUID(lottery_id))
            await conn.execute(closes.values(closes_at=datetime.now(UTC) - timedelta(seconds=1)))
    finally:
        await db.dispose()


async def test_draws_are_idempotent_limited_and_verifiable_after_the_close(
    platform, operator_token
):
    lottery = await _create(platform, operator_token, seconds_open=3600)
    assert (lottery["status"], lottery["server_seed"]) == ("upcoming", None)
    assert len(lottery["seed_hash"]) == 64
    await _status_is(platform, lottery["id"], "open")

    customer_id, token = await platform.customer()
    draws = f"{LOTTERIES}/{lottery['id']}/draws"
    async with platform.client("campaigns", token) as customer:
        first = await customer.post(draws, headers={"Idempotency-Key": "draw-1"})
        replay = await customer.post(draws, headers={"Idempotency-Key": "draw-1"})
        refused = await customer.post(draws, headers={"Idempotency-Key": "draw-2"})
        audit_early = await customer.get(f"{LOTTERIES}/{lottery['id']}/verification")
    assert first.status_code == 201, first.text
    assert (replay.json(), replay.headers["Idempotent-Replayed"]) == (first.json(), "true")
    assert refused.status_code == 409
    assert "no chances left" in refused.json()["detail"]
    assert audit_early.status_code == 409

    async with platform.client("campaigns", operator_token) as staff:
        grant = {"user_id": customer_id, "chances": 1, "key": "share:abc", "reason": "share"}
        granted = await staff.post(f"{LOTTERIES}/{lottery['id']}/chances", json=grant)
        again = await staff.post(f"{LOTTERIES}/{lottery['id']}/chances", json=grant)
    assert (granted.status_code, again.status_code) == (201, 200)
    async with platform.client("campaigns", token) as customer:
        chances = (
            await customer.get(f"/api/v1/campaigns/me/lotteries/{lottery['id']}/chances")
        ).json()
        second = await customer.post(draws, headers={"Idempotency-Key": "draw-3"})
        mine = (await customer.get("/api/v1/campaigns/me/draws")).json()["items"]
    assert (chances["today_left"], chances["extra_left"], chances["draws"]) == (0, 1, 1)
    assert second.status_code == 201
    assert [d["counter"] for d in mine] == [2, 1]

    made = await event_about(
        platform.broker.bootstrap_servers,
        "flywheel.campaigns.draw",
        "flywheel.campaigns.draw.made.v1",
        first.json()["id"],
    )
    assert (made["data"]["user_id"], made["data"]["counter"]) == (customer_id, 1)
    created = await event_about(
        platform.broker.bootstrap_servers,
        "flywheel.campaigns.lottery",
        "flywheel.campaigns.lottery.created.v1",
        lottery["id"],
    )
    assert created["data"]["seed_hash"] == lottery["seed_hash"]
    assert [p["weight"] for p in created["data"]["prizes"]] == [1, 2]

    await _close_now(platform, lottery["id"])  # the clock's part, in campaigns' database
    closed = await _status_is(platform, lottery["id"], "closed")
    seed = bytes.fromhex(closed["server_seed"])
    assert hashlib.sha256(seed).hexdigest() == lottery["seed_hash"]
    async with platform.client("campaigns") as anonymous:
        verified = (await anonymous.get(f"{LOTTERIES}/{lottery['id']}/verification")).json()
        audit = (await anonymous.get(f"{LOTTERIES}/{lottery['id']}/audit")).json()["items"]
    assert (verified["draws"], verified["fair"], verified["findings"]) == (2, True, [])
    assert [(line["user_id"], line["counter"]) for line in audit] == [
        (customer_id, 1),
        (customer_id, 2),
    ]


async def test_operator_routes_refuse_customers(platform, operator_token):
    lottery = await _create(platform, operator_token, seconds_open=3600)
    customer_id, token = await platform.customer()
    async with platform.client("campaigns", token) as customer:
        create = await customer.post(LOTTERIES, json=_terms(3600))
        grant = await customer.post(
            f"{LOTTERIES}/{lottery['id']}/chances",
            json={"user_id": customer_id, "chances": 5, "key": "mine"},
        )
        ship = await customer.put(
            f"{LOTTERIES}/draws/{new_id()}/fulfilment", json={"fulfilment": "shipped"}
        )
        listed = await customer.get(f"{LOTTERIES}/{lottery['id']}/prize-draws")
    assert [r.status_code for r in (create, grant, ship, listed)] == [403, 403, 403, 403]


async def test_bad_lotteries_name_the_field(platform, operator_token):
    terms = _terms(3600)
    terms["prizes"][1].pop("points")
    async with platform.client("campaigns", operator_token) as staff:
        no_points = await staff.post(LOTTERIES, json=terms)
        zone = await staff.post(LOTTERIES, json=_terms(3600) | {"time_zone": "Mars/Olympus"})
        unknown = await staff.get(f"{LOTTERIES}/{new_id()}")
    assert no_points.status_code == 422
    assert no_points.json()["errors"][0]["field"] == "body.prizes.1"
    assert zone.status_code == 422
    assert zone.json()["errors"][0]["field"] == "body.time_zone"
    assert unknown.status_code == 404


async def test_operators_ship_a_won_item(platform, operator_token):
    terms = _terms(3600) | {
        "no_prize_weight": 0,
        "prizes": [{"name": "耳机", "kind": "item", "weight": 1, "stock": 1}],
    }
    async with platform.client("campaigns", operator_token) as staff:
        lottery = (await staff.post(LOTTERIES, json=terms)).json()
    await _status_is(platform, lottery["id"], "open")
    _, token = await platform.customer()
    async with platform.client("campaigns", token) as customer:
        won = (await customer.post(f"{LOTTERIES}/{lottery['id']}/draws")).json()
    assert (won["prize"]["name"], won["fulfilment"]) == ("耳机", "pending")
    async with platform.client("campaigns", operator_token) as staff:
        pending = await staff.get(
            f"{LOTTERIES}/{lottery['id']}/prize-draws", params={"fulfilment": "pending"}
        )
        fulfilment = f"{LOTTERIES}/draws/{won['id']}/fulfilment"
        shipped = await staff.put(fulfilment, json={"fulfilment": "shipped"})
        twice = await staff.put(fulfilment, json={"fulfilment": "shipped"})
    assert [d["id"] for d in pending.json()["items"]] == [won["id"]]
    assert shipped.json()["fulfilment"] == "shipped"
    assert twice.status_code == 409
    async with platform.client("campaigns", token) as customer:
        mine = (await customer.get("/api/v1/campaigns/me/draws")).json()["items"]
    assert mine[0]["fulfilment"] == "shipped"
