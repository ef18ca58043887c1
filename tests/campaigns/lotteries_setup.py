"""Lotteries set up straight on the campaigns database, for the lottery tests."""

from datetime import timedelta

from chassis.clock import now
from chassis.http.problems import Conflict
from chassis.ids import new_id
from services.campaigns.lotteries import service
from services.campaigns.lotteries.models import Draw, Lottery
from services.campaigns.lotteries.schemas import LotteryRequest

ITEM = {"name": "扫地机器人", "kind": "item", "weight": 1, "stock": 1}


async def lottery(db, prizes=(ITEM,), no_prize_weight=0, **terms) -> Lottery:
    opens = now() + timedelta(seconds=1)
    body = LotteryRequest(
        **(
            {
                "name": "双十二抽奖",
                "opens_at": opens,
                "closes_at": opens + timedelta(days=7),
                "draws_per_day": 1,
                "no_prize_weight": no_prize_weight,
                "prizes": list(prizes),
            }
            | terms
        )
    )
    async with db.session() as session:
        return await service.create(session, body, new_id())


def during(lottery: Lottery, hours: float = 1):
    return lottery.opens_at + timedelta(hours=hours)


async def draw(db, lottery_id, user_id, at) -> Draw | str:
    """The draw, or the problem's detail."""
    async with db.session() as session:
        try:
            entry = await service.draw(session, lottery_id, user_id, at)
        except Conflict as problem:
            return problem.detail
        await session.commit()
        return entry
