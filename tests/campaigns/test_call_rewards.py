"""Coupons for content calls' winners: `call.winner_chosen` with a coupon reward gives the
winner one coupon of the template, once per (call, post) however often it comes (racing
deliveries on PostgreSQL too), within the template's limits, the outcome recorded; through
the real broker, the winner holds it and operators see it."""

import asyncio
import json
from datetime import UTC, datetime
from uuid import UUID

import grants_setup
import publishing
from sqlalchemy import select

from chassis.events.outbox import envelope_for
from chassis.events.tables import outbox
from chassis.ids import new_id
from chassis.testing import eventually
from contracts.content import CallWinnerChosen, Reward, RewardKind
from services.campaigns.coupons import call_rewards, consumers

CLAIMED = "flywheel.campaigns.coupon.claimed.v1"
NAME = "征集获奖 ¥20"


async def _template(db, total=100, per_user_limit=1):
    return await grants_setup.template(
        db, name=NAME, amount_off=20_00, valid_days=30, total=total, per_user_limit=per_user_limit
    )


def _won(template_id, author=None, call_id=None, rank=1) -> CallWinnerChosen:
    return CallWinnerChosen(
        call_id=call_id or new_id(),
        post_id=new_id(),
        author=author or new_id(),
        rank=rank,
        reward=Reward(kind=RewardKind.COUPON, coupon_id=template_id),
        chosen_at=datetime.now(UTC),
    )


async def _consume(db, event) -> None:
    await grants_setup.consume(db, consumers.on_call_winner_chosen, event)


async def _rewards(db, call_id) -> list[tuple]:
    async with db.session() as session:
        return [
            (r.post_id, r.coupon_id is not None, r.skipped)
            for r in await call_rewards.of_call(session, call_id)
        ]


async def test_a_winner_gets_the_coupon_once_however_often_the_event_comes(campaigns_db):
    template = await _template(campaigns_db, per_user_limit=5)  # the once is the call's
    won = _won(template.id)
    await _consume(campaigns_db, won)
    await _consume(campaigns_db, won)  # redelivered
    await _consume(campaigns_db, won.model_copy(update={"rank": 2}))  # republished, changed
    (coupon,) = await grants_setup.given(campaigns_db, template.id)
    assert (coupon.holder_id, coupon.status) == (won.author, "claimed")
    assert await _rewards(campaigns_db, won.call_id) == [(won.post_id, True, None)]
    async with campaigns_db.session() as session:
        claimed = list(
            await session.scalars(select(outbox.c.payload).where(outbox.c.type == CLAIMED))
        )
    assert [json.loads(p)["data"]["holder_id"] for p in claimed] == [str(won.author)]


async def test_a_points_reward_is_not_campaigns(campaigns_db):
    won = _won(new_id()).model_copy(update={"reward": Reward(kind=RewardKind.POINTS, points=50)})
    await _consume(campaigns_db, won)
    assert await _rewards(campaigns_db, won.call_id) == []


async def test_a_winner_who_cannot_be_given_one_is_recorded_with_why(campaigns_db):
    template = await _template(campaigns_db, total=2, per_user_limit=1)
    call_id, author = new_id(), new_id()
    first = _won(template.id, author=author, call_id=call_id, rank=1)
    again = _won(template.id, author=author, call_id=call_id, rank=2)  # their second post
    third = _won(template.id, call_id=call_id, rank=3)
    fourth = _won(template.id, call_id=call_id, rank=4)
    unknown = _won(new_id(), call_id=call_id, rank=5)
    for event in (first, again, third, fourth, unknown):
        await _consume(campaigns_db, event)
    outcomes = dict(
        (post, (given, skipped)) for post, given, skipped in await _rewards(campaigns_db, call_id)
    )
    assert outcomes[first.post_id] == (True, None)
    assert outcomes[again.post_id] == (False, "the winner holds as many as the template allows")
    assert outcomes[third.post_id] == (True, None)
    assert outcomes[fourth.post_id] == (
        False,
        f"Every coupon of template {template.id} has been claimed.",
    )
    assert outcomes[unknown.post_id] == (False, f"no coupon template {unknown.reward.coupon_id}")
    assert len(await grants_setup.given(campaigns_db, template.id)) == 2


async def test_racing_deliveries_give_one_coupon(postgres_db):
    template = await _template(postgres_db, per_user_limit=5)
    won = _won(template.id)

    async def deliver() -> None:
        await _consume(postgres_db, won)

    await asyncio.gather(*[deliver() for _ in range(10)])
    assert len(await grants_setup.given(postgres_db, template.id)) == 1


async def test_a_winner_chosen_through_the_broker_holds_the_coupon(platform, operator_token):
    async with platform.client("campaigns", operator_token) as staff:
        template_id = UUID(
            await grants_setup.posted_template(
                staff, name=NAME, amount_off=20_00, valid_days=30, total=10
            )
        )
    author, token = await platform.customer()
    won = _won(template_id, author=UUID(author))
    envelope = envelope_for(won, source="/flywheel/content")
    await publishing.publish(platform, envelope, envelope)  # the second a redelivery

    mine = await eventually(lambda: grants_setup.held(platform, token, str(template_id)), within=30)
    (coupon,) = mine
    path = f"/api/v1/campaigns/coupons/call-rewards/{won.call_id}"
    async with platform.client("campaigns", operator_token) as staff:
        (reward,) = (await staff.get(path)).json()
    assert (reward["post_id"], reward["coupon_id"], reward["skipped"]) == (
        str(won.post_id),
        coupon["id"],
        None,
    )
    async with platform.client("campaigns", token) as customer:
        assert (await customer.get(path)).status_code == 403
