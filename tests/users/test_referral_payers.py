"""The payer-account signal of referral farming: a referee whose paid order came from a payer
account the referrer paid from too (orders' `payer_ref` on `order.paid`: one wallet paying for
both) is refused the reward with `same_payer`; another account is no signal; redelivered
events change nothing; the accounts seen are exported and erased with the customer."""

import orders
from alone import PASSWORD
from deliver import deliver
from test_referral_guards import invited, referral_of

from chassis.ids import new_id
from chassis.testing import eventually
from services.users.referrals import rules

REWARDED = "flywheel.users.referral.rewarded.v1"
WALLET = "0f" * 16  # payer references as orders makes them: 32 hex characters
OTHER = "1e" * 16


def paid_from(order, payer_ref: str | None):
    return orders.paid(order).model_copy(update={"payer_ref": payer_ref})


def test_a_payer_account_both_paid_from_is_a_signal_and_another_is_not():
    assert rules.shared_signals("a@x.com", "b@x.com", set(), set(), {WALLET}, {WALLET}) == [
        rules.SAME_PAYER
    ]
    assert rules.shared_signals("a@x.com", "b@x.com", set(), set(), {WALLET}, {OTHER}) == []
    assert rules.shared_signals("a@x.com", "b@x.com", set(), set(), set(), {WALLET}) == []
    assert rules.shared_signals("a@x.com", "a@x.com", {"d"}, {"d"}, {WALLET}, {WALLET}) == [
        rules.SAME_DEVICE,
        rules.SAME_MAILBOX,
        rules.SAME_PAYER,
    ]


async def test_one_wallet_paying_for_both_sides_refuses_the_reward_once(users):
    referrer_id, referrer = await users.customer()
    await deliver(users, paid_from(orders.placed(referrer_id, 0), WALLET))
    same_wallet, _ = await invited(users, referrer)
    own_wallet, _ = await invited(users, referrer)
    farmed = orders.placed(same_wallet, 0)
    honest = orders.placed(own_wallet, 0)
    for order, ref in ((farmed, WALLET), (honest, OTHER)):
        paid, completed = paid_from(order, ref), orders.completed(order)
        await deliver(users, order, paid, completed)
        await deliver(users, paid, completed)  # redelivered: no second effect
    assert [r["referee_id"] for r in await users.events(REWARDED)] == [own_wallet]
    rows = await users.sql("SELECT referee_id, status, refusal FROM referrals")
    outcome = {str(r.referee_id).replace("-", ""): (r.status, r.refusal) for r in rows}
    assert outcome[same_wallet.replace("-", "")] == ("refused", rules.SAME_PAYER)
    assert outcome[own_wallet.replace("-", "")] == ("rewarded", None)
    mine = await referral_of(users, referrer)
    assert (mine["rewarded"], mine["refused"], mine["pending"]) == (1, 1, 0)
    [farmed_points] = await users.sql(
        "SELECT count(*) AS n FROM points_entries WHERE cause LIKE :c", c=f"referral:{same_wallet}%"
    )
    assert farmed_points.n == 0
    [seen] = await users.sql("SELECT count(*) AS n FROM user_payers")
    assert seen.n == 3  # the referrer's, and each referee's once


async def test_payer_accounts_are_exported_and_erased_with_the_customer(users):
    user_id, token = await users.customer()
    await deliver(users, paid_from(orders.placed(user_id, 0), WALLET))
    await deliver(users, paid_from(orders.placed(user_id, 0), None))  # the provider said nothing
    async with users.client(token) as client:
        exported = (await client.get("/api/v1/users/me/export")).json()
        erased = await client.post("/api/v1/users/me/erase", json={"password": PASSWORD})
    assert [p["payer_ref"] for p in exported["payers"]] == [WALLET]
    assert erased.status_code == 204
    [left] = await users.sql("SELECT count(*) AS n FROM user_payers")
    assert left.n == 0


async def test_through_the_broker_one_wallet_for_both_is_refused(platform):
    referrer_id, referrer = await platform.customer()
    referee_id, referee = await platform.customer()
    async with platform.client("users", referrer) as client:
        code = (await client.get("/api/v1/users/me/referral")).json()["code"]
    async with platform.client("users", referee) as client:
        claimed = await client.post("/api/v1/users/me/referral/claim", json={"code": code})
    assert claimed.status_code == 201, claimed.text
    wallet = new_id().hex  # this test's own wallet, whatever else the platform has seen
    await orders.publish(platform, paid_from(orders.placed(referrer_id, 0), wallet))

    async def counted():  # orders are keyed by order: another's may be consumed first
        async with platform.client("users", referrer) as client:
            return (await client.get("/api/v1/users/me/tier")).json()["spend_12m"] > 0

    await eventually(counted, within=30)
    order = orders.placed(referee_id, 0)
    paid = paid_from(order, wallet)
    await orders.publish(platform, order, paid, paid, orders.completed(order))

    async def settled():
        async with platform.client("users", referrer) as client:
            mine = (await client.get("/api/v1/users/me/referral")).json()
        return mine if mine["pending"] == 0 else None

    mine = await eventually(settled, within=30)
    assert (mine["refused"], mine["rewarded"]) == (1, 0)
