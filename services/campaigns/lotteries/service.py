"""Lottery operations: lotteries with their prizes, chances, draws, fulfilment, the audit.

A draw is one transaction (stored with its Idempotency-Key's response): the user's counter
is one upsert (`draws = draws + 1 RETURNING draws`, which also queues the same user's
racing draws on their row), a chance is one guarded upsert of the day's use (`used <
draws_per_day`) or else one guarded update of the extra chances (`extra_used <
extra_granted`); without either the draw is refused and nothing is kept. The roll picks an
outcome (`fairness.outcome`), and a picked prize is taken by `UPDATE ... SET stock_left =
stock_left - 1 WHERE stock_left > 0`: when that takes nothing the draw is no prize. So a
prize of stock 1 is awarded once however many draws race for it.

A prize with a `cost` is charged to its campaign's budget with its stock, in one savepoint
(`budgets.charge`: one guarded UPDATE, keyed by the draw). A charge that does not fit takes
back the stock and refuses the draw (`BudgetSpent`, a 409: the chance and the counter stay
unused, so every draw kept still verifies); `stop_awarding` then marks the budget
exhausted and publishes `budget.exhausted` once, and the campaign's draws are refused until
spend is released."""

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.db import insert_if_absent
from chassis.events import outbox
from chassis.http.problems import Conflict, InvalidInput, NotFound
from chassis.pagination import PageRequest, fetch_page
from contracts.campaigns import DrawMade, LotteryCreated, LotteryPrize
from contracts.users import EarnedFor, PointsEarned
from services.campaigns.budgets import service as budgets
from services.campaigns.budgets.models import Budget
from services.campaigns.calendar import service as calendar
from services.campaigns.calendar import windows
from services.campaigns.calendar.models import Campaign
from services.campaigns.coupons import service as coupons
from services.campaigns.coupons.models import CouponTemplate
from services.campaigns.lotteries import fairness, prizes
from services.campaigns.lotteries.models import (
    ChanceGrant,
    DailyChances,
    Draw,
    Entrant,
    Lottery,
    Prize,
)
from services.campaigns.lotteries.prizes import Fulfilment, PrizeKind
from services.campaigns.lotteries.schemas import GrantRequest, LotteryRequest, LotteryStatus

# The users' actions (`points.earned`'s `earned_for`) a lottery may give chances for.
ACTION_CHANCES = {
    EarnedFor.CHECK_IN: Lottery.chances_per_check_in,
    EarnedFor.REFERRAL: Lottery.chances_per_referral,
}


def status(lottery: Lottery, at: datetime) -> LotteryStatus:
    if at < lottery.opens_at:
        return LotteryStatus.UPCOMING
    return LotteryStatus.OPEN if at < lottery.closes_at else LotteryStatus.CLOSED


async def create(session: AsyncSession, body: LotteryRequest, by: UUID) -> Lottery:
    if body.opens_at < now():
        raise InvalidInput(
            "body.opens_at", "must not be in the past: the seed's hash is public first"
        )
    if body.campaign_id is not None and await session.get(Campaign, body.campaign_id) is None:
        raise InvalidInput("body.campaign_id", f"no campaign {body.campaign_id}")
    budget = body.campaign_id and await session.get(Budget, body.campaign_id)
    for index, prize in enumerate(body.prizes):
        template_id = prize.coupon_template_id
        if template_id is not None and await session.get(CouponTemplate, template_id) is None:
            raise InvalidInput(
                f"body.prizes.{index}.coupon_template_id", f"no template {template_id}"
            )
        if prize.cost is not None and budget and prize.cost.currency != budget.currency:
            raise InvalidInput(
                f"body.prizes.{index}.cost", f"must be in the budget's currency {budget.currency}"
            )
    seed = fairness.new_seed()
    lottery = Lottery(
        **body.model_dump(exclude={"prizes"}),
        server_seed=seed,
        seed_hash=fairness.seed_hash(seed),
        created_by=by,
        prizes=[
            Prize(
                position=index,
                stock_left=prize.stock,
                cost=prize.cost,
                **prize.model_dump(exclude={"cost"}),
            )
            for index, prize in enumerate(body.prizes)
        ],
    )
    session.add(lottery)
    await session.flush()
    await outbox.add(
        session,
        LotteryCreated(
            lottery_id=lottery.id,
            campaign_id=lottery.campaign_id,
            name=lottery.name,
            opens_at=lottery.opens_at,
            closes_at=lottery.closes_at,
            seed_hash=lottery.seed_hash,
            draws_per_day=lottery.draws_per_day,
            no_prize_weight=lottery.no_prize_weight,
            prizes=[
                LotteryPrize(
                    prize_id=p.id,
                    position=p.position,
                    name=p.name,
                    kind=p.kind,
                    weight=p.weight,
                    stock=p.stock,
                )
                for p in lottery.prizes
            ],
        ),
    )
    await session.commit()
    return lottery


async def get(session: AsyncSession, lottery_id: UUID) -> Lottery:
    lottery = await session.get(Lottery, lottery_id)
    if lottery is None:
        raise NotFound(f"No lottery {lottery_id}.")
    return lottery


async def draw(session: AsyncSession, lottery_id: UUID, user_id: UUID, at: datetime) -> Draw:
    """The user's next draw, or a 409 (not open, no chances). Staged in `session`; the
    caller commits (with its Idempotency-Key's record)."""
    lottery = await get(session, lottery_id)
    if status(lottery, at) != LotteryStatus.OPEN:
        raise Conflict(f"Lottery {lottery_id} is not open.")
    await calendar.refuse_if_over(session, lottery.campaign_id, f"lottery {lottery_id}")
    if lottery.campaign_id is not None and await budgets.exhausted(session, lottery.campaign_id):
        raise BudgetSpent(lottery.campaign_id)
    counter = await _next_counter(session, lottery_id, user_id)
    if not await _use_chance(session, lottery, user_id, at):  # the counter goes back too
        raise Conflict(f"You have no chances left in lottery {lottery_id}; come back tomorrow.")
    weights = [p.weight for p in lottery.prizes]
    picked = fairness.outcome(
        lottery.server_seed, user_id, counter, weights, lottery.no_prize_weight
    )
    prize = lottery.prizes[picked] if picked is not None else None
    if prize is not None and not await _award(session, lottery, prize, user_id, counter):
        prize = None  # given out to its whole stock: no prize (fairness.py says why)
    entry = Draw(
        lottery_id=lottery_id,
        user_id=user_id,
        counter=counter,
        picked_position=picked,
        prize_id=prize.id if prize else None,
        fulfilment=prizes.FIRST[prize.kind] if prize else Fulfilment.NONE,
        drawn_at=at,
    )
    if prize is not None and prize.kind == PrizeKind.COUPON:
        await _issue_coupon(session, entry, prize.coupon_template_id)
    session.add(entry)
    await session.flush()
    entry.prize = prize
    await outbox.add(
        session,
        DrawMade(
            draw_id=entry.id,
            lottery_id=lottery_id,
            campaign_id=lottery.campaign_id,
            user_id=user_id,
            counter=counter,
            prize_id=entry.prize_id,
            prize_kind=prize.kind if prize else None,
            points=prize.points if prize else None,
            coupon_id=entry.coupon_id,
            drawn_at=at,
        ),
    )
    return entry


def _insert(session: AsyncSession):
    return (postgresql if session.bind.dialect.name == "postgresql" else sqlite).insert


async def _next_counter(session: AsyncSession, lottery_id: UUID, user_id: UUID) -> int:
    return (
        await session.execute(
            _insert(session)(Entrant)
            .values(lottery_id=lottery_id, user_id=user_id, draws=1, extra_granted=0, extra_used=0)
            .on_conflict_do_update(
                index_elements=[Entrant.lottery_id, Entrant.user_id],
                set_={"draws": Entrant.draws + 1},
            )
            .returning(Entrant.draws)
        )
    ).scalar_one()


async def _use_chance(session: AsyncSession, lottery: Lottery, user_id: UUID, at: datetime) -> bool:
    if lottery.draws_per_day > 0:
        daily = await session.execute(
            _insert(session)(DailyChances)
            .values(lottery_id=lottery.id, user_id=user_id, day=_day(lottery, at), used=1)
            .on_conflict_do_update(
                index_elements=[DailyChances.lottery_id, DailyChances.user_id, DailyChances.day],
                set_={"used": DailyChances.used + 1},
                where=DailyChances.used < lottery.draws_per_day,
            )
        )
        if daily.rowcount == 1:
            return True
    extra = await session.execute(
        update(Entrant)
        .where(
            Entrant.lottery_id == lottery.id,
            Entrant.user_id == user_id,
            Entrant.extra_used < Entrant.extra_granted,
        )
        .values(extra_used=Entrant.extra_used + 1)
        .execution_options(synchronize_session=False)
    )
    return extra.rowcount == 1


def _day(lottery: Lottery, at: datetime) -> date:
    return at.astimezone(windows.zone(lottery.time_zone)).date()


class BudgetSpent(Conflict):
    """The campaign's budget cannot pay for a prize (or is exhausted): no more awards."""

    def __init__(self, campaign_id: UUID) -> None:
        super().__init__(f"The budget of campaign {campaign_id} is spent: no more draws.")
        self.campaign_id = campaign_id


async def _award(
    session: AsyncSession, lottery: Lottery, prize: Prize, user_id: UUID, counter: int
) -> bool:
    """Take one of the prize and charge its cost, both or neither: False when the stock is
    gone; BudgetSpent when the budget cannot pay (the stock taken goes back)."""
    if prize.cost is None or lottery.campaign_id is None:
        return await _take_one(session, prize)
    savepoint = await session.begin_nested()
    if not await _take_one(session, prize):
        await savepoint.rollback()
        return False
    key = f"lottery:{lottery.id}:user:{user_id}:draw:{counter}"
    if not await budgets.charge(session, lottery.campaign_id, key, prize.cost.amount):
        await savepoint.rollback()
        raise BudgetSpent(lottery.campaign_id)
    await savepoint.commit()
    return True


async def stop_awarding(session: AsyncSession, campaign_id: UUID) -> None:
    """After a draw refused by the budget (its transaction rolled back): the budget is
    marked exhausted and `budget.exhausted` published, once, in a transaction of its own."""
    await session.rollback()
    await budgets.exhaust(session, campaign_id)
    await session.commit()


async def _take_one(session: AsyncSession, prize: Prize) -> bool:
    taken = await session.execute(
        update(Prize)
        .where(Prize.id == prize.id, Prize.stock_left > 0)
        .values(stock_left=Prize.stock_left - 1)
        .execution_options(synchronize_session=False)
    )
    return taken.rowcount == 1


async def _issue_coupon(session: AsyncSession, entry: Draw, template_id: UUID) -> None:
    """The coupon through the coupons' own claim (its total, limit, validity and budget):
    when that refuses, the prize stays won and the draw says why it was not issued."""
    savepoint = await session.begin_nested()
    try:
        coupon = await coupons.claim(session, template_id, entry.user_id)
    except Conflict as refused:
        await savepoint.rollback()
        entry.fulfilment, entry.fulfilment_note = Fulfilment.FAILED, refused.detail
        return
    await savepoint.commit()
    entry.coupon_id = coupon.id


async def chances(
    session: AsyncSession, lottery_id: UUID, user_id: UUID, at: datetime
) -> tuple[int, int, int]:
    """(free chances left today, extra chances left, draws made) for the user."""
    lottery = await get(session, lottery_id)
    used = await session.scalar(
        select(DailyChances.used).where(
            DailyChances.lottery_id == lottery_id,
            DailyChances.user_id == user_id,
            DailyChances.day == _day(lottery, at),
        )
    )
    entrant = await session.get(Entrant, (lottery_id, user_id))
    extra = entrant.extra_granted - entrant.extra_used if entrant else 0
    return max(lottery.draws_per_day - (used or 0), 0), extra, entrant.draws if entrant else 0


async def grant(
    session: AsyncSession, lottery_id: UUID, body: GrantRequest, by: UUID | None
) -> tuple[ChanceGrant, bool]:
    """Grant extra chances once per key; (the grant, whether this call made it). The same
    key with other terms is a 409."""
    await get(session, lottery_id)
    made = await stage_grant(session, lottery_id, body, by)
    await session.commit()
    given = await session.get(ChanceGrant, (lottery_id, body.key), populate_existing=True)
    if (given.user_id, given.chances) != (body.user_id, body.chances):
        raise Conflict(f"Key {body.key} granted {given.chances} chance(s) to {given.user_id}.")
    return given, made


async def stage_grant(
    session: AsyncSession, lottery_id: UUID, body: GrantRequest, by: UUID | None
) -> bool:
    """The grant, in the caller's transaction, unless its key was granted before; whether
    this call made it."""
    made = await insert_if_absent(
        session,
        ChanceGrant.__table__,
        lottery_id=lottery_id,
        key=body.key,
        user_id=body.user_id,
        chances=body.chances,
        reason=body.reason,
        granted_by=by,
        granted_at=now(),
    )
    if made:
        await session.execute(
            _insert(session)(Entrant)
            .values(
                lottery_id=lottery_id,
                user_id=body.user_id,
                draws=0,
                extra_granted=body.chances,
                extra_used=0,
            )
            .on_conflict_do_update(
                index_elements=[Entrant.lottery_id, Entrant.user_id],
                set_={"extra_granted": Entrant.extra_granted + body.chances},
            )
        )
    return made


async def grant_for_action(session: AsyncSession, earned: PointsEarned) -> int:
    """Chances for a user's check-in or referral (users' `points.earned`), in every lottery
    open at that moment that gives some for it, once per action (its key names the user,
    the action and its moment); how many lotteries granted."""
    column = ACTION_CHANCES.get(earned.earned_for)
    if column is None:
        return 0
    at = earned.earned_at
    lotteries = await session.execute(
        select(Lottery.id, column).where(column > 0, Lottery.opens_at <= at, Lottery.closes_at > at)
    )
    key = f"{earned.earned_for}:{earned.user_id}:{at.isoformat()}"
    granted = 0
    for lottery_id, chances in lotteries:
        body = GrantRequest(
            user_id=earned.user_id, chances=chances, key=key, reason=earned.earned_for
        )
        granted += await stage_grant(session, lottery_id, body, None)
    return granted


async def my_draws(
    session: AsyncSession, user_id: UUID, lottery_id: UUID | None, page: PageRequest
) -> tuple[list[Draw], str | None]:
    statement = select(Draw).where(Draw.user_id == user_id)
    if lottery_id is not None:
        statement = statement.where(Draw.lottery_id == lottery_id)
    return await fetch_page(session, statement, key=[Draw.id], page=page)


async def draws(
    session: AsyncSession, lottery_id: UUID, fulfilment: Fulfilment | None, page: PageRequest
) -> tuple[list[Draw], str | None]:
    """A lottery's draws with prizes, for operators (those to ship: `fulfilment=pending`)."""
    await get(session, lottery_id)
    statement = select(Draw).where(Draw.lottery_id == lottery_id, Draw.prize_id.is_not(None))
    if fulfilment is not None:
        statement = statement.where(Draw.fulfilment == fulfilment)
    return await fetch_page(session, statement, key=[Draw.id], page=page)


async def fulfil(session: AsyncSession, draw_id: UUID, to: Fulfilment) -> Draw:
    """Move a won item's fulfilment one step (pending → shipped → delivered), or a 409."""
    entry = await session.get(Draw, draw_id)
    if entry is None:
        raise NotFound(f"No draw {draw_id}.")
    current = entry.fulfilment
    refused = Conflict(f"Draw {draw_id}'s prize cannot go from {current} to {to}.")
    if not prizes.can_move(current, to):
        raise refused
    moved = await session.execute(
        update(Draw)
        .where(Draw.id == draw_id, Draw.fulfilment == current)
        .values(fulfilment=to)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # another operator moved it first
        raise refused
    await session.commit()
    return await session.get(Draw, draw_id, populate_existing=True)


async def closed(session: AsyncSession, lottery_id: UUID, at: datetime) -> Lottery:
    lottery = await get(session, lottery_id)
    if status(lottery, at) != LotteryStatus.CLOSED:
        raise Conflict(
            f"Lottery {lottery_id} closes at {lottery.closes_at.isoformat()}; its seed and "
            "audit log are revealed then."
        )
    return lottery


async def audit(
    session: AsyncSession, lottery: Lottery, page: PageRequest
) -> tuple[list[Draw], str | None]:
    statement = select(Draw).where(Draw.lottery_id == lottery.id)
    return await fetch_page(session, statement, key=[Draw.id], page=page, descending=False)


def audited(lottery: Lottery, entry: Draw) -> fairness.AuditedDraw:
    positions = {p.id: p.position for p in lottery.prizes}
    return fairness.AuditedDraw(
        draw_id=entry.id,
        user_id=entry.user_id,
        counter=entry.counter,
        picked=entry.picked_position,
        awarded=positions.get(entry.prize_id),
    )


async def verify(session: AsyncSession, lottery: Lottery) -> tuple[int, list[fairness.Finding]]:
    """Every draw of a closed lottery recomputed from the audit log: (draws, findings)."""
    log = [
        audited(lottery, entry)
        for entry in await session.scalars(
            select(Draw).where(Draw.lottery_id == lottery.id).order_by(Draw.id)
        )
    ]
    findings = fairness.verify(
        lottery.server_seed,
        lottery.seed_hash,
        [fairness.AuditedPrize(weight=p.weight, stock=p.stock) for p in lottery.prizes],
        lottery.no_prize_weight,
        log,
    )
    return len(log), findings
