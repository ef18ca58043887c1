"""Membership in the service: upgrades on payment, no downgrade when a refund lands, the
review date downgrades, the tier's multiplier in the points ledger, who reads which tier."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

import orders
from deliver import deliver
from sqlalchemy import select, update

from chassis.ids import new_id
from contracts.users import TierChanged
from services.users.membership import service as membership
from services.users.membership.models import Membership
from services.users.metrics.models import PaidOrder
from services.users.points.models import PointsEarning
from services.users.settings import Settings

TIER_CHANGED = "flywheel.users.tier.changed.v1"
PERIOD = Settings(kafka_enabled=False).tier_review_period


async def tier_of(users, token: str, path: str = "/api/v1/users/me/tier") -> dict:
    async with users.client(token) as client:
        response = await client.get(path)
    assert response.status_code == 200
    return response.json()


async def test_a_payment_upgrades_at_once_and_a_refund_waits_for_the_review(users):
    user_id, token = await users.customer()
    assert (await tier_of(users, token))["tier"] == "regular"
    order = orders.placed(user_id, 0, paid=100_000)
    paid = orders.paid(order)
    await deliver(users, paid, paid)
    silver = await tier_of(users, token)
    assert (silver["tier"], silver["spend_12m"]) == ("silver", 100_000)
    assert silver["benefits"] == {
        "points_multiplier_percent": 120,
        "member_price": True,
        "free_shipping_threshold": 6900,
    }
    assert (silver["next_tier"]["tier"], silver["next_tier"]["spend_12m"]) == ("gold", 500_000)
    review_at = datetime.fromisoformat(silver["review_at"])
    assert review_at - datetime.fromisoformat(silver["since"]) == PERIOD

    refund = orders.refunded(order, 50_000)
    await deliver(users, refund, refund)
    after_refund = await tier_of(users, token)
    assert (after_refund["tier"], after_refund["spend_12m"]) == ("silver", 50_000)

    assert await membership.review_due(users.db, PERIOD, at=review_at - timedelta(seconds=1)) == 0
    assert await membership.review_due(users.db, PERIOD, at=review_at) == 1
    reviewed = await tier_of(users, token)
    assert (reviewed["tier"], reviewed["review_at"]) == ("regular", None)
    changes = [
        (c["from_tier"], c["to_tier"], c["reason"], c["spend_12m"])
        for c in await users.events(TIER_CHANGED)
    ]
    # at the review the order of a year ago has left the rolling window
    assert changes == [
        ("regular", "silver", "upgrade", 100_000),
        ("silver", "regular", "review", 0),
    ]


async def test_a_review_the_spend_still_passes_keeps_the_tier_and_moves_the_date(users):
    user_id, token = await users.customer()
    await deliver(users, orders.paid(orders.placed(user_id, 0, paid=600_000)))
    soon = datetime.now(UTC) + timedelta(days=30)
    async with users.db.session() as session, session.begin():
        await session.execute(
            update(Membership).where(Membership.user_id == UUID(user_id)).values(review_at=soon)
        )
    assert await membership.review_due(users.db, PERIOD, at=soon) == 1
    kept = await tier_of(users, token)
    assert (kept["tier"], datetime.fromisoformat(kept["review_at"])) == ("gold", soon + PERIOD)
    assert len(await users.events(TIER_CHANGED)) == 1  # the upgrade only


async def test_points_are_earned_at_the_multiplier_of_the_tier_held_when_paid(users):
    user_id, _ = await users.customer()
    lifting, next_one = (
        orders.placed(user_id, 0, paid=500_000),
        orders.placed(user_id, 0, paid=10_000),
    )
    await deliver(users, orders.paid(lifting), orders.paid(next_one))
    async with users.db.session() as session:
        earned = dict(
            (
                await session.execute(
                    select(PointsEarning.order_id, PointsEarning.points).where(
                        PointsEarning.user_id == UUID(user_id)
                    )
                )
            ).all()
        )
    assert earned == {
        lifting.order_id: 5_000,  # paid as regular: x1.0, then gold
        next_one.order_id: 150,  # paid as gold: 100 x 1.5
    }


async def test_customers_read_only_their_own_tier_and_operators_anyones(users):
    a_id, a = await users.customer()
    _, b = await users.customer()
    _, operator = await users.staff("operator")
    await deliver(users, orders.paid(orders.placed(a_id, 0, paid=2_000_000)))
    assert (await tier_of(users, a))["tier"] == "platinum"
    assert (await tier_of(users, b))["tier"] == "regular"
    async with users.client(b) as client:
        assert (await client.get(f"/api/v1/users/users/{a_id}/tier")).status_code == 403
    async with users.client() as client:
        assert (await client.get("/api/v1/users/me/tier")).status_code == 401
    theirs = await tier_of(users, operator, f"/api/v1/users/users/{a_id}/tier")
    assert (theirs["user_id"], theirs["tier"], theirs["next_tier"]) == (a_id, "platinum", None)
    async with users.client(operator) as client:
        unknown = await client.get(f"/api/v1/users/users/{a_id[:-4]}beef/tier")
    assert unknown.status_code == 404
    async with users.client(b) as client:
        levels = (await client.get("/api/v1/users/membership/tiers")).json()
    assert [(lv["tier"], lv["spend_12m"]) for lv in levels] == [
        ("regular", 0),
        ("silver", 100_000),
        ("gold", 500_000),
        ("platinum", 2_000_000),
    ]


async def test_operators_search_users_by_lifecycle_stage_and_tier(users):
    _, operator = await users.staff("operator")
    gold, _ = await users.register()
    new, _ = await users.register()
    await deliver(users, orders.paid(orders.placed(gold, 0, paid=600_000)))
    await deliver(users, orders.paid(orders.placed(new, 0, paid=1_000)))

    async def found(**params) -> list[str]:
        async with users.client(operator) as client:
            response = await client.get("/api/v1/users/users", params=params)
        assert response.status_code == 200, response.text
        return [u["id"] for u in response.json()["items"]]

    assert await found(tier="gold") == [gold]
    assert await found(stage="new") == [new, gold]  # newest first
    assert await found(stage="new", tier="regular") == [new]
    assert gold not in await found(stage="potential")
    assert len(await found(stage="potential")) == 2  # the operator and the seeded admin
    async with users.client(operator) as client:
        bad = await client.get("/api/v1/users/users", params={"tier": "diamond"})
    assert bad.json()["errors"][0]["field"] == "query.tier"


def table_body(version: int, **spend: int) -> dict:
    levels = [
        ("regular", 0, 100, False, 9900),
        ("silver", 100_000, 120, True, 6900),
        ("gold", 500_000, 150, True, 3900),
        ("platinum", 2_000_000, 200, True, 0),
    ]
    return {
        "expected_version": version,
        "levels": [
            {
                "tier": tier,
                "spend_12m": spend.get(tier, threshold),
                "benefits": {
                    "points_multiplier_percent": multiplier,
                    "member_price": member,
                    "free_shipping_threshold": free,
                },
            }
            for tier, threshold, multiplier, member, free in levels
        ],
    }


async def test_operators_change_the_tier_table_and_payments_and_reviews_follow_it(users):
    operator_id, operator = await users.staff("operator")
    cheap, cheap_token = await users.customer()
    gold, gold_token = await users.customer()
    await deliver(users, orders.paid(orders.placed(gold, 0, paid=600_000)))
    async with users.client(operator) as client:
        seeded = (await client.get("/api/v1/users/membership/table")).json()
        changed = await client.put(
            "/api/v1/users/membership/table",
            json=table_body(1, silver=50_000, gold=700_000, platinum=3_000_000),
        )
        stale = await client.put("/api/v1/users/membership/table", json=table_body(1))
    assert (seeded["version"], seeded["created_by"]) == (1, None)
    assert changed.status_code == 200, changed.text
    assert (changed.json()["version"], changed.json()["created_by"]) == (2, operator_id)
    assert stale.status_code == 409
    [published] = await users.events("flywheel.users.tier_table.changed.v1")  # not the 409's
    assert (published["version"], published["changed_by"]) == (2, operator_id)
    assert published["changed_at"] == changed.json()["created_at"]
    assert published["levels"][2] == {
        "tier": "gold",
        "spend_12m": 700_000,
        "points_multiplier_percent": 150,
        "member_price": True,
        "free_shipping_threshold": 3900,
    }
    assert [lv["spend_12m"] for lv in published["levels"]] == [0, 50_000, 700_000, 3_000_000]
    async with users.client(cheap_token) as client:
        listed = (await client.get("/api/v1/users/membership/tiers")).json()
    assert [lv["spend_12m"] for lv in listed] == [0, 50_000, 700_000, 3_000_000]

    await deliver(users, orders.paid(orders.placed(cheap, 0, paid=60_000)))
    assert (await tier_of(users, cheap_token))["tier"] == "silver"  # under version 1: regular
    # gold was reached under version 1 and is held until its review, then judged by version 2
    held = await tier_of(users, gold_token)
    assert (held["tier"], held["next_tier"]["spend_12m"]) == ("gold", 3_000_000)
    review_at = datetime.fromisoformat(held["review_at"])
    await deliver(users, orders.paid(orders.placed(gold, 0, paid=1)))  # nothing moves
    async with users.db.session() as session, session.begin():
        await session.execute(  # the year's orders stay inside the window at the review
            update(PaidOrder).where(PaidOrder.user_id == UUID(gold)).values(paid_at=review_at)
        )
    assert await membership.review_due(users.db, PERIOD, at=review_at) == 1
    assert (await tier_of(users, gold_token))["tier"] == "silver"  # 600,001 < 700,000
    # each change names the version of the table it was decided under
    decided = [
        (c["user_id"], c["to_tier"], c["reason"], c["table_version"])
        for c in await users.events(TIER_CHANGED)
    ]
    assert decided == [
        (gold, "gold", "upgrade", 1),
        (cheap, "silver", "upgrade", 2),
        (gold, "silver", "review", 2),
    ]


async def test_a_bad_tier_table_is_refused_naming_the_field_and_changes_nothing(users):
    _, operator = await users.staff("operator")
    _, customer = await users.customer()
    missing = table_body(1)
    missing["levels"].pop()
    falling = table_body(1, gold=90_000)
    fewer_points = table_body(1)
    fewer_points["levels"][3]["benefits"]["points_multiplier_percent"] = 110
    fraction = table_body(1)
    fraction["levels"][1]["spend_12m"] = 1.5
    async with users.client(operator) as client:
        answers = [
            await client.put("/api/v1/users/membership/table", json=body)
            for body in (missing, falling, fewer_points, fraction)
        ]
        after = (await client.get("/api/v1/users/membership/table")).json()
    fields = [a.json()["errors"][0]["field"] for a in answers]
    assert [a.status_code for a in answers] == [422] * 4
    assert fields == [
        "body.levels",
        "body.levels[2].spend_12m",
        "body.levels[3].benefits.points_multiplier_percent",
        "body.levels.1.spend_12m",
    ]
    assert after["version"] == 1
    async with users.client(customer) as client:
        assert (await client.get("/api/v1/users/membership/table")).status_code == 403
        put = await client.put("/api/v1/users/membership/table", json=table_body(1))
        assert put.status_code == 403
    assert await users.events("flywheel.users.tier_table.changed.v1") == []


async def test_points_are_earned_at_the_multiplier_of_the_table_in_force(users):
    _, operator = await users.staff("operator")
    user_id, _ = await users.customer()
    body = table_body(1)
    body["levels"][0]["benefits"]["points_multiplier_percent"] = 300
    for level in body["levels"][1:]:
        level["benefits"]["points_multiplier_percent"] = 300
    async with users.client(operator) as client:
        assert (await client.put("/api/v1/users/membership/table", json=body)).status_code == 200
    await deliver(users, orders.paid(orders.placed(user_id, 0, paid=10_000)))
    async with users.db.session() as session:
        earned = await session.scalar(
            select(PointsEarning.points).where(PointsEarning.user_id == UUID(user_id))
        )
    assert earned == 300  # 100 currency units x 300 %


def test_a_tier_change_published_before_table_versions_still_parses():
    older = {
        "user_id": str(new_id()),
        "from_tier": "regular",
        "to_tier": "silver",
        "reason": "upgrade",
        "spend_12m": 150_000,
        "review_at": None,
        "changed_at": "2026-11-30T10:00:00Z",
    }
    assert TierChanged.model_validate(older).table_version is None
