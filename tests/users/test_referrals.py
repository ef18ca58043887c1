"""Referrals in the service: a customer's code, claims refused for self-referral, loops,
repeats and late claims, and the reward of both sides released once by the referee's first
completed order; concurrent claims that would close a loop on PostgreSQL leave one."""

import asyncio

import orders
from deliver import deliver

from services.users.referrals import rules

REWARDED = "flywheel.users.referral.rewarded.v1"


async def code_of(users, token: str) -> str:
    async with users.client(token) as client:
        answer = await client.get("/api/v1/users/me/referral")
    assert answer.status_code == 200, answer.text
    return answer.json()["code"]


async def claim(users, token: str, code: str):
    async with users.client(token) as client:
        return await client.post("/api/v1/users/me/referral/claim", json={"code": code})


async def points(users, token: str) -> int:
    async with users.client(token) as client:
        return (await client.get("/api/v1/users/me/points")).json()["balance"]


async def test_claims_refuse_bad_codes_self_referral_repeats_and_loops(users):
    (_, a), (_, b), (_, c) = [await users.customer() for _ in range(3)]
    code_a, code_b, code_c = [await code_of(users, t) for t in (a, b, c)]
    assert code_a == await code_of(users, a)  # one code each, kept
    unknown = next(code for code in iter(rules.new_code, None) if code not in (code_a, code_b))
    for typed, says in [("not a code!", "not an invite code"), (unknown, "no customer")]:
        refused = await claim(users, a, typed)
        assert refused.status_code == 422
        assert [e["field"] for e in refused.json()["errors"]] == ["body.code"]
        assert says in refused.json()["errors"][0]["message"]
    own = await claim(users, a, code_a)
    assert own.status_code == 422

    first = await claim(users, b, f"{code_a[:4].lower()}-{code_a[4:]}")  # A referred B
    assert first.status_code == 201, first.text
    assert first.json()["code"] == code_a
    assert (await claim(users, b, code_c)).status_code == 409  # one referrer each
    assert (await claim(users, a, code_b)).status_code == 409  # B -> A: a loop of two
    assert (await claim(users, c, code_b)).status_code == 201  # B referred C
    assert (await claim(users, a, code_c)).status_code == 409  # C -> A: a loop of three
    async with users.client(a) as client:
        mine = (await client.get("/api/v1/users/me/referral")).json()
    assert (mine["pending"], mine["rewarded"], mine["referred_by_code"]) == (1, 0, None)
    async with users.client() as client:
        assert (await client.get("/api/v1/users/me/referral")).status_code == 401


async def test_the_first_completed_order_rewards_both_sides_once(users):
    _, referrer = await users.customer()
    referee_id, referee = await users.customer()
    assert (await claim(users, referee, await code_of(users, referrer))).status_code == 201
    order = orders.placed(referee_id, 0, paid=1000)
    paid = orders.paid(order)
    await deliver(users, order, paid)
    assert await users.events(REWARDED) == []  # paid is not enough: the return window
    late = await claim(users, (await users.customer())[1], await code_of(users, referee))
    assert late.status_code == 201  # the referee may invite others meanwhile
    completed = orders.completed(order)
    await deliver(users, completed, completed)  # redelivered
    second = orders.placed(referee_id, 0, paid=1000)
    await deliver(users, second, orders.paid(second), orders.completed(second))

    [rewarded] = await users.events(REWARDED)
    assert rewarded["referee_id"] == referee_id
    assert rewarded["order_id"] == str(order.order_id)
    assert await points(users, referrer) == rules.REFERRER_POINTS
    # the referee's own order points (10 each) plus the reward
    assert await points(users, referee) == rules.REFEREE_POINTS + 20
    async with users.client(referrer) as client:
        mine = (await client.get("/api/v1/users/me/referral")).json()
    assert (mine["pending"], mine["rewarded"]) == (0, 1)
    # After a paid order it is too late to claim a code.
    buyer_id, buyer = await users.customer()
    await deliver(users, orders.paid(orders.placed(buyer_id, 0)))
    assert (await claim(users, buyer, await code_of(users, referrer))).status_code == 409


async def test_concurrent_claims_closing_a_loop_leave_one(users):
    (_, a), (_, b) = await users.customer(), await users.customer()
    code_a, code_b = await code_of(users, a), await code_of(users, b)
    for _ in range(2):  # each round on a fresh pair
        answers = await asyncio.gather(claim(users, a, code_b), claim(users, b, code_a))
        assert sorted(r.status_code for r in answers) == [201, 409], [r.text for r in answers]
        (_, a), (_, b) = await users.customer(), await users.customer()
        code_a, code_b = await code_of(users, a), await code_of(users, b)
