"""Cuts under real concurrency on PostgreSQL: shops that read the price, compute a cut and
write it back let racing helpers cut past the floor. Here 40 racing helpers of a bargain of
10 helps make exactly 10 cuts landing on the floor, and a helper racing themselves cuts
once."""

import asyncio

import pytest
from bargains_setup import help_or_why, start_bargain, stored
from sqlalchemy import func, select

from chassis.events.tables import outbox
from chassis.ids import new_id
from services.campaigns.bargains.cuts import BargainStatus
from services.campaigns.bargains.models import HelperCut

pytestmark = pytest.mark.postgres


async def test_forty_racing_helpers_never_cut_below_the_floor(postgres_db):
    bargain = await start_bargain(postgres_db, start=99_00, floor=9_90, helps=10)
    answers = await asyncio.gather(
        *(help_or_why(postgres_db, bargain.id, new_id()) for _ in range(40))
    )
    cuts = [a for a in answers if isinstance(a, int)]
    assert len(cuts) == 10
    assert sum(cuts) == 99_00 - 9_90
    assert {a for a in answers if isinstance(a, str)} == {
        f"Bargain {bargain.id} is at its floor price already."
    }
    after = await stored(postgres_db, bargain.id)
    assert (after.price_amount, after.helps_done, after.status) == (9_90, 10, BargainStatus.REACHED)
    async with postgres_db.session() as session:
        numbers = sorted(await session.scalars(select(HelperCut.number)))
        completed = await session.scalar(
            select(func.count())
            .select_from(outbox)
            .where(outbox.c.type == "flywheel.campaigns.bargain.completed.v1")
        )
    assert numbers == list(range(1, 11))
    assert completed == 1


async def test_a_helper_racing_themselves_cuts_once(postgres_db):
    bargain = await start_bargain(postgres_db, helps=10)
    helper = new_id()
    answers = await asyncio.gather(
        *(help_or_why(postgres_db, bargain.id, helper) for _ in range(10))
    )
    assert len([a for a in answers if isinstance(a, int)]) == 1
    assert answers.count(f"You have helped with bargain {bargain.id} already.") == 9
    assert (await stored(postgres_db, bargain.id)).helps_done == 1
