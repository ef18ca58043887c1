"""Points for content-call winners: content's `call.winner_chosen` with a points reward
credits the winner through the ledger, available at once, once per (call, winner), through
the consumer's handlers (every handler of the app, in its order)."""

import asyncio
from uuid import UUID

from deliver import deliver
from test_points import account

from chassis.clock import now
from chassis.ids import new_id
from contracts.content import CallWinnerChosen, Reward, RewardKind

EARNED = "flywheel.users.points.earned.v1"


def won(author: str, points: int | None = 50, call_id=None, rank: int = 1) -> CallWinnerChosen:
    reward = (
        Reward(kind=RewardKind.POINTS, points=points)
        if points
        else Reward(kind=RewardKind.COUPON, coupon_id=new_id())
    )
    return CallWinnerChosen(
        call_id=call_id or new_id(),
        post_id=new_id(),
        author=UUID(author),
        rank=rank,
        reward=reward,
        chosen_at=now(),
    )


async def test_a_call_won_credits_its_points_once_per_call_and_winner(users):
    winner, token = await users.customer()
    other, _ = await users.customer()
    chosen = won(winner, 50)
    await asyncio.gather(*(deliver(users, chosen) for _ in range(5)))  # redelivered at once
    await deliver(users, chosen)  # and later
    second_post = won(winner, 80, call_id=chosen.call_id, rank=2)  # the same call again
    await deliver(users, second_post)
    assert await account(users, winner) == (50, 0, 0)  # available at once, the ledger sums

    await deliver(users, won(other, 30, call_id=chosen.call_id, rank=2))  # another winner
    await deliver(users, won(winner, 20))  # another call
    assert await account(users, winner) == (70, 0, 0)
    assert await account(users, other) == (30, 0, 0)
    earned = [e for e in await users.events(EARNED) if e["earned_for"] == "content_call"]
    assert sorted((e["user_id"], e["points"]) for e in earned) == sorted(
        [(winner, 50), (other, 30), (winner, 20)]
    )
    first = next(e for e in earned if e["points"] == 50)
    assert (first["call_id"], first["frozen"]) == (str(chosen.call_id), False)
    async with users.client(token) as client:
        mine = (await client.get("/api/v1/users/me/points")).json()
    assert mine["balance"] == 70
    assert sorted(e["kind"] for e in mine["ledger"]["items"]) == ["content_call"] * 2


async def test_a_coupon_reward_is_not_points(users):
    winner, _ = await users.customer()
    await deliver(users, won(winner, points=None))
    assert await account(users, winner) == (0, 0, 0)
    assert await users.events(EARNED) == []
    assert await users.sql("SELECT * FROM points_call_rewards") == []
