"""Each change of a user's RFM code is announced once, in the transaction that makes it: the
first paid order, payments and refunds that move a score (not those that move none, nor a
redelivery), the recency timer on its day, new cut-offs (only the users they move), and
erasure."""

import asyncio
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from uuid import UUID

import orders
from alone import PASSWORD
from deliver import deliver

from services.users.rfm import service as rfm

CHANGED = "flywheel.users.rfm.scores_changed.v1"
MINE = {
    "recency_days": [7, 30, 90, 180],
    "frequency": [1, 2, 4, 8],
    "monetary": [999, 1999, 9999, 99999],
}


def paid_days_ago(order, days: int):
    event = orders.paid(order)
    return event.model_copy(update={"paid_at": datetime.now(UTC) - timedelta(days=days)})


async def changes(users, user_id: str | None = None) -> list[tuple]:
    return [
        (e["from_code"], e["to_code"], e["reason"])
        for e in await users.events(CHANGED)
        if user_id is None or e["user_id"] == user_id
    ]


async def set_cuts(users, cuts: dict) -> None:
    _, operator = await users.staff("operator")
    async with users.client(operator) as client:
        response = await client.put("/api/v1/users/rfm/cuts", json=cuts)
    assert response.status_code == 200, response.text


async def test_payments_and_refunds_announce_the_codes_they_move_once(users):
    await set_cuts(users, MINE)
    assert await changes(users) == []  # nobody paid yet: nobody scored
    buyer, _ = await users.register()
    first = orders.placed(buyer, 0, paid=1500)
    await deliver(users, orders.paid(first))
    await deliver(users, orders.paid(first))  # redelivered: counted once, announced once
    second = orders.placed(buyer, 0, paid=1000)
    await deliver(users, orders.paid(second))
    await deliver(users, orders.refunded(second, 600))  # 25.00 -> 19.00: M 3 -> 2
    await deliver(users, orders.refunded(second, 100))  # 18.00: still M 2
    assert await changes(users, buyer) == [
        (None, "512", "first_order"),
        ("512", "523", "paid"),
        ("523", "522", "refunded"),
    ]


async def test_the_recency_timer_fires_on_its_day(users):
    await set_cuts(users, MINE)
    buyer, _ = await users.register()
    paid = paid_days_ago(orders.placed(buyer, 0, paid=1500), 5)
    await deliver(users, paid)
    async with users.db.session() as session:
        due = await rfm.next_fall(session, UUID(buyer))
    assert due == paid.paid_at + timedelta(days=8)  # 8 days: past the 7-day cut-off
    assert await rfm.fire_due(users.db, due - timedelta(seconds=1)) == 0
    assert await changes(users, buyer) == [(None, "512", "first_order")]
    assert await rfm.fire_due(users.db, due) == 1
    assert await changes(users, buyer) == [(None, "512", "first_order"), ("512", "412", "aged")]
    async with users.db.session() as session:
        assert await rfm.next_fall(session, UUID(buyer)) == paid.paid_at + timedelta(days=31)
        assert (await rfm.score_of(session, UUID(buyer))).r == 4
    assert await rfm.fire_due(users.db, due + timedelta(days=1)) == 0  # nothing more that day


async def test_new_cut_offs_announce_only_the_users_whose_code_moved(users):
    await set_cuts(users, MINE)
    small, _ = await users.register()
    large, _ = await users.register()
    await deliver(users, orders.paid(orders.placed(small, 0, paid=1500)))
    await deliver(users, orders.paid(orders.placed(large, 0, paid=50_000)))
    before = await changes(users)
    # money's cut-offs move under the large buyer only: 500.00 falls from M 4 to M 3
    await set_cuts(users, MINE | {"monetary": [999, 1999, 99999, 199999]})
    after = await changes(users)
    assert after[: len(before)] == before
    assert after[len(before) :] == [("514", "513", "cuts_changed")]
    assert await changes(users, small) == [(None, "512", "first_order")]


async def test_erasure_ends_the_scores_and_later_refunds_score_nothing(users):
    await set_cuts(users, MINE)
    buyer, token = await users.customer()
    order = orders.placed(buyer, 0, paid=1500)
    await deliver(users, orders.paid(order))
    async with users.client(token) as client:
        erased = await client.post("/api/v1/users/me/erase", json={"password": PASSWORD})
    assert erased.status_code == 204
    await deliver(users, orders.refunded(order, 1000))
    assert await changes(users, buyer) == [(None, "512", "first_order"), ("512", None, "erased")]
    async with users.db.session() as session:
        assert await rfm.score_of(session, UUID(buyer)) is None
        assert await rfm.next_fall(session, UUID(buyer)) is None
    await set_cuts(users, MINE | {"frequency": [2, 3, 4, 5]})  # erased: rescored by no one
    assert await changes(users, buyer) == [(None, "512", "first_order"), ("512", None, "erased")]


async def test_concurrent_payments_and_new_cut_offs_announce_one_unbroken_chain(users):
    await set_cuts(users, MINE)
    buyer, _ = await users.register()
    await deliver(users, orders.paid(orders.placed(buyer, 0, paid=100)))
    paid = [orders.paid(orders.placed(buyer, 0, paid=100)) for _ in range(9)]
    recuts = [MINE | {"frequency": f} for f in ([2, 3, 5, 9], [1, 3, 6, 8], [2, 3, 5, 9])]
    await asyncio.gather(
        *(deliver(users, event) for event in paid),
        *(set_cuts(users, cuts) for cuts in recuts),
    )
    chain = await changes(users, buyer)
    assert chain[0] == (None, "511", "first_order")
    for (_, to_code, _), (from_code, _, _) in pairwise(chain):
        assert from_code == to_code  # each change starts where the one before ended
    async with users.db.session() as session:
        stored = await rfm.score_of(session, UUID(buyer))
    assert (stored.frequency, stored.monetary) == (10, 1000)
    assert chain[-1][1] == f"{stored.r}{stored.f}{stored.m}" == "552"  # 10 > 9, 1000 > 999
