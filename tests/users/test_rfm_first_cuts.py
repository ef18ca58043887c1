"""A fresh population (no cut-offs yet, the nightly run not come): the first paid order makes
the first quintiles at once and is announced as the first order; later buyers score against
those cut-offs; the nightly run moves them and announces only the codes it moves."""

import asyncio

import orders
from deliver import deliver

CHANGED = "flywheel.users.rfm.scores_changed.v1"
CUTS_CHANGED = "flywheel.users.rfm.cuts_changed.v1"


async def changes(users, user_id: str) -> list[tuple]:
    return [
        (e["from_code"], e["to_code"], e["reason"])
        for e in await users.events(CHANGED)
        if e["user_id"] == user_id
    ]


async def test_the_first_paid_order_is_scored_and_announced_before_any_nightly_run(users):
    _, operator = await users.staff("operator")
    buyer, _ = await users.register()
    paid = orders.paid(orders.placed(buyer, 0, paid=1500))
    await deliver(users, paid)
    await deliver(users, paid)  # redelivered: no second effect
    assert await changes(users, buyer) == [(None, "511", "first_order")]
    first_cuts = await users.events(CUTS_CHANGED)
    # the quintiles of the population so far: the buyer alone (recency 0, 1 order, 15.00)
    assert [(c["basis"], c["population"], c["monetary"]) for c in first_cuts] == [
        ("quintiles", 1, [1500, 1500, 1500, 1500])
    ]
    async with users.client(operator) as client:
        scored = (await client.get(f"/api/v1/users/users/{buyer}/rfm")).json()
        overview = (await client.get("/api/v1/users/rfm")).json()
    assert (scored["code"], scored["monetary"]) == ("511", 1500)
    assert overview["codes"] == {"511": 1}

    # the next buyer is scored against the cut-offs in force; they wait for the night
    later, _ = await users.register()
    await deliver(users, orders.paid(orders.placed(later, 0, paid=4000)))
    assert await changes(users, later) == [(None, "515", "first_order")]
    assert len(await users.events(CUTS_CHANGED)) == 1

    # the nightly run recomputes over both: money's cut-offs move to 15.00/15.00/40.00/40.00,
    # which moves neither code (15.00 stays in M 1, 40.00 in M 3 now): nothing more is
    # announced for the first buyer; the later one falls to 513
    async with users.client(operator) as client:
        nightly = (await client.post("/api/v1/users/rfm/recompute")).json()
    assert nightly["cuts"]["monetary"] == [1500, 1500, 4000, 4000]
    assert await changes(users, buyer) == [(None, "511", "first_order")]
    assert await changes(users, later) == [
        (None, "515", "first_order"),
        ("515", "513", "cuts_changed"),
    ]
    assert len(await users.events(CUTS_CHANGED)) == 2


async def test_concurrent_first_payments_make_one_set_of_cuts_and_announce_each_buyer_once(users):
    buyers = [(await users.register())[0] for _ in range(6)]
    await asyncio.gather(
        *(
            deliver(users, orders.paid(orders.placed(b, 0, paid=1000 * (rank + 1))))
            for rank, b in enumerate(buyers)
        )
    )
    # the first to commit made the cut-offs; the others found them and scored against them
    # (recomputing after it would have moved money's cut-offs and rescored the first)
    assert len(await users.events(CUTS_CHANGED)) == 1
    for buyer in buyers:
        [(from_code, _, reason)] = await changes(users, buyer)
        assert (from_code, reason) == (None, "first_order")
