"""Referral farming guards: no reward where the two sides share a device or an inbox, and
at most a cap of rewarded referrals per referrer per calendar month, held under concurrency
on PostgreSQL."""

import asyncio
from datetime import UTC, datetime
from uuid import UUID

import orders
import pytest
from deliver import deliver

from chassis.clock import now
from chassis.ids import new_id
from contracts.analytics import Action, BehaviourRecorded
from services.users.app import handlers
from services.users.referrals import rules
from services.users.referrals.models import RewardMonth
from services.users.settings import Settings

REWARDED = "flywheel.users.referral.rewarded.v1"


@pytest.mark.parametrize(
    ("email", "inbox"),
    [
        ("Mei.Li+shop@GoogleMail.com", "meili@gmail.com"),
        ("mei.li@gmail.com", "meili@gmail.com"),
        ("mei.li+2@example.com", "mei.li@example.com"),  # dots count elsewhere
        ("  MEI@Example.COM ", "mei@example.com"),
    ],
)
def test_an_address_is_known_by_the_inbox_it_delivers_to(email, inbox):
    assert rules.mailbox(email) == inbox


def test_shared_signals_are_a_common_device_or_inbox_and_nothing_else():
    assert rules.shared_signals("a@example.com", "b@example.com", {"d1"}, {"d2"}) == []
    assert rules.shared_signals("a@example.com", "b@example.com", {"d1", "d2"}, {"d2"}) == [
        rules.SAME_DEVICE
    ]
    assert rules.shared_signals("a.b@gmail.com", "ab+x@gmail.com", set(), set()) == [
        rules.SAME_MAILBOX
    ]
    # colleagues at one company domain are two people
    assert rules.shared_signals("mei@acme.com", "li@acme.com", set(), set()) == []
    assert rules.month_of(datetime(2026, 1, 31, 23, 59, tzinfo=UTC)) == "2026-01"


async def invited(users, referrer_token: str, email: str | None = None) -> tuple[str, str]:
    """A new customer who claimed the referrer's code: (id, token)."""
    async with users.client(referrer_token) as client:
        code = (await client.get("/api/v1/users/me/referral")).json()["code"]
    user_id, email = await users.register(email)
    token = (await users.login(email))["access_token"]
    async with users.client(token) as client:
        claimed = await client.post("/api/v1/users/me/referral/claim", json={"code": code})
    assert claimed.status_code == 201, claimed.text
    return user_id, token


def first_order(user_id: str) -> list:
    order = orders.placed(user_id, 0)
    return [order, orders.paid(order), orders.completed(order)]


def signed_in_on(user_id: str, device: str) -> BehaviourRecorded:
    return BehaviourRecorded(
        behaviour_id=new_id(),
        actor=user_id,
        user_id=UUID(user_id),
        anonymous_id=device,
        action=Action.PAGE_VIEW,
        occurred_at=now(),
    )


async def referral_of(users, token: str) -> dict:
    async with users.client(token) as client:
        return (await client.get("/api/v1/users/me/referral")).json()


async def test_a_shared_device_or_inbox_refuses_the_reward_to_both_sides(users):
    referrer_id, email = await users.register("mei.li@gmail.com")
    referrer = (await users.login(email))["access_token"]
    same_inbox, _ = await invited(users, referrer, "meili+again@googlemail.com")
    same_device, _ = await invited(users, referrer)
    honest, _ = await invited(users, referrer)
    await deliver(users, signed_in_on(referrer_id, "d-1"), signed_in_on(same_device, "d-1"))
    await deliver(users, signed_in_on(honest, "d-2"))
    for user_id in (same_inbox, same_device, honest):
        await deliver(users, *first_order(user_id))
    rewarded = await users.events(REWARDED)
    assert [r["referee_id"] for r in rewarded] == [honest]
    mine = await referral_of(users, referrer)
    assert (mine["rewarded"], mine["refused"], mine["pending"]) == (1, 2, 0)
    rows = await users.sql("SELECT referee_id, status, refusal FROM referrals")
    outcome = {str(UUID(str(r.referee_id))): (r.status, r.refusal) for r in rows}
    assert outcome[same_inbox] == ("refused", "same_mailbox")
    assert outcome[same_device] == ("refused", "same_device")
    assert outcome[honest] == ("rewarded", None)
    assert (await referral_of(users, referrer))["refused"] == 2
    [refused_points] = await users.sql(
        "SELECT count(*) AS n FROM points_entries WHERE cause LIKE :c", c=f"referral:{same_device}%"
    )
    assert refused_points.n == 0


async def test_rewards_stop_at_the_monthly_cap_and_count_per_month(users):
    capped = handlers(Settings(kafka_enabled=False, referral_monthly_cap=2))
    referrer_id, referrer = await users.customer()
    # last month's rewards do not count against this month's cap
    async with users.db.session() as session, session.begin():
        session.add(RewardMonth(referrer_id=UUID(referrer_id), month="2000-01", rewarded=2))
    referees = [(await invited(users, referrer))[0] for _ in range(3)]
    for user_id in referees:
        await deliver(users, *first_order(user_id), handlers=capped)
    assert [r["referee_id"] for r in await users.events(REWARDED)] == referees[:2]
    mine = await referral_of(users, referrer)
    assert (mine["rewarded"], mine["capped"]) == (2, 1)
    async with users.client(referrer) as client:
        balance = (await client.get("/api/v1/users/me/points")).json()["balance"]
    assert balance == 2 * rules.REFERRER_POINTS


async def test_concurrent_rewards_never_pass_the_cap(users):
    capped = handlers(Settings(kafka_enabled=False, referral_monthly_cap=3))
    _, referrer = await users.customer()
    referees = [(await invited(users, referrer))[0] for _ in range(8)]
    completions = []
    for user_id in referees:
        order, paid, completed = first_order(user_id)
        await deliver(users, order, paid)
        completions.append(completed)
    await asyncio.gather(*(deliver(users, c, handlers=capped) for c in completions))
    assert len(await users.events(REWARDED)) == 3
    mine = await referral_of(users, referrer)
    assert (mine["rewarded"], mine["capped"], mine["pending"]) == (3, 5, 0)
