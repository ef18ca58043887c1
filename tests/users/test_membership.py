"""Membership in the service: upgrades on payment, no downgrade when a refund lands, the
review date downgrades, the tier's multiplier in the points ledger, who reads which tier."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

import orders
from deliver import deliver
from sqlalchemy import select, update

from services.users.membership import service as membership
from services.users.membership.models import Membership
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
