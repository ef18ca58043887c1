"""Lottery operations on both backends: chances per day in the lottery's time zone, granted
chances once per key, chances earned by check-ins, prizes as coupons, points and items, and
the verification of every draw after the close."""

from datetime import UTC, datetime, timedelta

import pytest
from group_buys import events
from lotteries_setup import ITEM, draw, during, lottery
from sqlalchemy import update

from chassis.http.problems import Conflict, InvalidInput
from chassis.ids import new_id
from contracts.campaigns import DrawMade
from contracts.users import EarnedFor, PointsEarned
from services.campaigns.coupons import service as coupons
from services.campaigns.coupons.models import Coupon
from services.campaigns.coupons.schemas import TemplateRequest
from services.campaigns.lotteries import service
from services.campaigns.lotteries.consumers import on_points_earned
from services.campaigns.lotteries.models import Draw, Lottery
from services.campaigns.lotteries.prizes import Fulfilment
from services.campaigns.lotteries.schemas import GrantRequest, LotteryRequest

NO_CHANCES = "You have no chances left in lottery {}; come back tomorrow."


async def test_a_draw_without_chances_is_refused(campaigns_db):
    pool = await lottery(campaigns_db, draws_per_day=0)
    user = new_id()
    assert await draw(campaigns_db, pool.id, user, during(pool)) == NO_CHANCES.format(pool.id)
    async with campaigns_db.session() as session:
        assert await service.chances(session, pool.id, user, during(pool)) == (0, 0, 0)


async def test_daily_chances_renew_at_midnight_in_the_lottery_time_zone(campaigns_db):
    pool = await lottery(
        campaigns_db,
        no_prize_weight=1,
        prizes=[ITEM | {"stock": 100}],
        draws_per_day=2,
        time_zone="Asia/Shanghai",
        opens_at=datetime.now(UTC) + timedelta(seconds=1),
        closes_at=datetime.now(UTC) + timedelta(days=30),
    )
    user = new_id()
    # 15:59 UTC is 23:59 in Shanghai; 16:00 UTC is the next day there.
    day = (pool.opens_at + timedelta(days=2)).replace(hour=15, minute=59, second=0)
    late, next_day = day, day + timedelta(minutes=1)
    assert isinstance(await draw(campaigns_db, pool.id, user, late), Draw)
    assert isinstance(await draw(campaigns_db, pool.id, user, late), Draw)
    assert await draw(campaigns_db, pool.id, user, late) == NO_CHANCES.format(pool.id)
    third = await draw(campaigns_db, pool.id, user, next_day)
    assert third.counter == 3  # the refused draw used no counter


async def test_granted_chances_come_once_per_key(campaigns_db):
    pool = await lottery(campaigns_db, draws_per_day=0, no_prize_weight=1)
    user = new_id()
    grant = GrantRequest(user_id=user, chances=2, key="check-in:2026-12-12", reason="check-in")

    async def give(body):
        async with campaigns_db.session() as session:
            return await service.grant(session, pool.id, body, None)

    assert (await give(grant))[1] is True
    assert (await give(grant))[1] is False  # the same action again: nothing more
    with pytest.raises(Conflict, match="granted 2 chance"):
        await give(grant.model_copy(update={"chances": 5}))
    at = during(pool)
    assert isinstance(await draw(campaigns_db, pool.id, user, at), Draw)
    assert isinstance(await draw(campaigns_db, pool.id, user, at), Draw)
    assert await draw(campaigns_db, pool.id, user, at) == NO_CHANCES.format(pool.id)


async def test_a_check_in_earns_chances_in_the_lotteries_open_for_it_once(campaigns_db):
    pool = await lottery(campaigns_db, draws_per_day=0, no_prize_weight=1, chances_per_check_in=2)
    other = await lottery(campaigns_db, draws_per_day=0, no_prize_weight=1)  # gives none
    user, at = new_id(), during(pool)

    def earned(earned_for: EarnedFor, when: datetime) -> PointsEarned:
        return PointsEarned(
            user_id=user, points=5, earned_for=earned_for, frozen=False, earned_at=when
        )

    async def consume(event: PointsEarned) -> None:
        async with campaigns_db.session() as session, session.begin():
            await on_points_earned(event, session)

    check_in = earned(EarnedFor.CHECK_IN, at)
    await consume(check_in)
    await consume(check_in)  # redelivered: the same action
    await consume(earned(EarnedFor.ORDER, at))  # not an action that earns chances
    await consume(earned(EarnedFor.CHECK_IN, pool.opens_at - timedelta(minutes=1)))  # not open
    async with campaigns_db.session() as session:
        assert await service.chances(session, pool.id, user, at) == (0, 2, 0)
        assert (await service.chances(session, other.id, user, at))[1] == 0
    for _ in range(2):
        assert isinstance(await draw(campaigns_db, pool.id, user, at), Draw)
    assert await draw(campaigns_db, pool.id, user, at) == NO_CHANCES.format(pool.id)


async def test_a_lottery_draws_only_while_open(campaigns_db):
    pool = await lottery(campaigns_db)
    early = pool.opens_at - timedelta(seconds=1)
    assert await draw(campaigns_db, pool.id, new_id(), early) == f"Lottery {pool.id} is not open."
    assert await draw(campaigns_db, pool.id, new_id(), pool.closes_at) == (
        f"Lottery {pool.id} is not open."
    )


async def _template(db, total: int):
    body = TemplateRequest(
        name="¥20 off",
        kind="fixed",
        currency="CNY",
        amount_off=20_00,
        valid_days=7,
        total_quantity=total,
    )
    async with db.session() as session:
        return await coupons.create_template(session, body, new_id())


async def test_a_coupon_prize_is_claimed_through_the_coupons_or_says_why_not(campaigns_db):
    template = await _template(campaigns_db, total=1)
    prize = {"name": "¥20 券", "kind": "coupon", "weight": 1, "stock": 5}
    pool = await lottery(campaigns_db, prizes=[prize | {"coupon_template_id": template.id}])
    at = during(pool)
    first, winner = await draw(campaigns_db, pool.id, new_id(), at), None
    assert first.fulfilment == Fulfilment.ISSUED
    async with campaigns_db.session() as session:
        winner = await session.get(Coupon, first.coupon_id)
    assert (winner.holder_id, winner.template_id) == (first.user_id, template.id)
    second = await draw(campaigns_db, pool.id, new_id(), at)
    assert (second.fulfilment, second.coupon_id) == (Fulfilment.FAILED, None)
    assert second.fulfilment_note == f"Every coupon of template {template.id} has been claimed."


async def test_an_item_is_shipped_then_delivered_by_operators(campaigns_db):
    pool = await lottery(campaigns_db)
    won = await draw(campaigns_db, pool.id, new_id(), during(pool))
    assert won.fulfilment == Fulfilment.PENDING

    async def move(to):
        async with campaigns_db.session() as session:
            return (await service.fulfil(session, won.id, to)).fulfilment

    with pytest.raises(Conflict, match="cannot go from pending to delivered"):
        await move(Fulfilment.DELIVERED)
    assert await move(Fulfilment.SHIPPED) == Fulfilment.SHIPPED
    assert await move(Fulfilment.DELIVERED) == Fulfilment.DELIVERED


async def test_the_draw_event_tells_users_the_points_won(campaigns_db):
    points = {"name": "100 积分", "kind": "points", "weight": 1, "stock": 10, "points": 100}
    pool = await lottery(campaigns_db, prizes=[points])
    won = await draw(campaigns_db, pool.id, new_id(), during(pool))
    [made] = await events(campaigns_db, "flywheel.campaigns.draw.made.v1")
    event = DrawMade.model_validate(made)
    assert (event.draw_id, event.user_id, event.counter) == (won.id, won.user_id, 1)
    assert (event.prize_kind, event.points, event.prize_id) == ("points", 100, won.prize_id)


async def test_after_the_close_every_draw_is_recomputed_and_tampering_found(campaigns_db):
    prizes = [ITEM | {"stock": 3}, ITEM | {"name": "贴纸", "weight": 5, "stock": 50}]
    pool = await lottery(campaigns_db, prizes=prizes, no_prize_weight=10, draws_per_day=3)
    at = during(pool)
    users = [new_id() for _ in range(40)]
    for user in users:
        for _ in range(3):
            assert isinstance(await draw(campaigns_db, pool.id, user, at), Draw)
    async with campaigns_db.session() as session:
        with pytest.raises(Conflict, match="its seed and audit log are revealed then"):
            await service.closed(session, pool.id, at)
        closed = await session.get(Lottery, pool.id)
        assert await service.verify(session, closed) == (120, [])
        # Tampering with one line of the log is found.
        loser = await session.scalar(
            Draw.__table__.select().where(Draw.lottery_id == pool.id, Draw.prize_id.is_(None))
        )
        sticker = pool.prizes[1]  # 50 in stock: one more is no over-award, only a lie
        await session.execute(
            update(Draw).where(Draw.id == loser).values(picked_position=1, prize_id=sticker.id)
        )
        count, findings = await service.verify(session, closed)
    assert count == 120
    assert [f.draw_id for f in findings] == [loser]


async def test_a_lottery_opening_in_the_past_or_with_an_unknown_template_is_refused(campaigns_db):
    past = datetime.now(UTC) - timedelta(minutes=1)
    body = LotteryRequest(
        name="x",
        opens_at=past,
        closes_at=past + timedelta(days=1),
        no_prize_weight=1,
        prizes=[ITEM],
    )
    async with campaigns_db.session() as session:
        with pytest.raises(InvalidInput) as refused:
            await service.create(session, body, new_id())
    assert refused.value.extra["errors"][0]["field"] == "body.opens_at"
    coupon = {"name": "券", "kind": "coupon", "weight": 1, "stock": 1}
    with pytest.raises(InvalidInput) as unknown:
        await lottery(campaigns_db, prizes=[ITEM, coupon | {"coupon_template_id": new_id()}])
    assert unknown.value.extra["errors"][0]["field"] == "body.prizes.1.coupon_template_id"
